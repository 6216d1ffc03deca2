import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { amqpUserOf, DEFAULT_AMQP_USERS, parseAmqpUsers } from './amqp-users';
import { ProductionSecret, SecretRules } from './development-secrets';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Crash points of the fault-injection suite (faults/): a process given one kills itself there. */
export const FAULT_HOOKS = ['crash-after-write', 'crash-in-handler'] as const;
export type FaultHook = (typeof FAULT_HOOKS)[number];

/** Variables every service reads. Property names are the environment variable names. */
export class CommonConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'log';

  /**
   * This process's own broker user and password (each service has its own; see README, Security). Required unless
   * AMQP_URLS is set.
   */
  @ValidateIf((o: CommonConfig) => o.AMQP_URLS === undefined || o.AMQP_URL !== undefined)
  @Matches(/^amqps?:\/\/.+/, { message: 'AMQP_URL must be an amqp:// or amqps:// URL' })
  @ValidateBy({
    name: 'notBothAmqpUrlAndUrls',
    validator: { validate: (_v: unknown, args) => (args?.object as CommonConfig).AMQP_URLS === undefined, defaultMessage: () => 'set AMQP_URL or AMQP_URLS, not both' },
  })
  @ProductionSecret(SecretRules.urlPassword(16))
  AMQP_URL?: string;

  /**
   * Instead of AMQP_URL: one URL per node of a RabbitMQ cluster, comma-separated, all with this process's user.
   * The client goes round the list, so when its node dies it reconnects to another at once (amqpUrlsOf).
   */
  @IsOptional()
  @ValidateBy({
    name: 'amqpUrlList',
    validator: {
      validate: (value: unknown) => amqpUrlListProblem(value) === undefined,
      defaultMessage: (args) => `AMQP_URLS ${amqpUrlListProblem(args?.value) ?? 'is invalid'}`,
    },
  })
  @ProductionSecret(SecretRules.urlListPasswords(16))
  AMQP_URLS?: string;

  /**
   * The broker user of every process kind, `gateway:<user>,channels:<user>,…`: a service accepts actor-bearing
   * commands only when RabbitMQ's validated `user-id` is the gateway's user, and service-to-service commands only
   * from the users of the services that send them. In production every kind must have a user of its own.
   */
  @ValidateBy({
    name: 'amqpUsers',
    validator: {
      validate: (value: unknown, args) => amqpUsersProblem(value, (args?.object as CommonConfig).NODE_ENV) === undefined,
      defaultMessage: (args) => `AMQP_USERS ${amqpUsersProblem(args?.value, (args?.object as CommonConfig).NODE_ENV) ?? 'is invalid'}`,
    },
  })
  AMQP_USERS: string = DEFAULT_AMQP_USERS;

  /** Port of the health/metrics HTTP endpoint (the gateway serves its API on it too). */
  @IsInt() @Min(1) @Max(65535)
  HTTP_PORT!: number;

  /** Unacknowledged broker messages each consumer holds at once. */
  @IsInt() @Min(1) @Max(1000)
  AMQP_PREFETCH: number = 32;

  /** Attempts for a failing event handler before the event is dead-lettered. */
  @IsInt() @Min(1) @Max(20)
  EVENT_MAX_ATTEMPTS: number = 5;

  /**
   * Test only: `crash-after-write` kills the process after a write, before its events are published;
   * `crash-in-handler` after an event handler's work, before the ack. Accepted only when NODE_ENV=test: an
   * allow-list, so a deployment that forgot NODE_ENV (development by default) cannot be crashed on purpose.
   */
  @IsOptional()
  @IsIn(FAULT_HOOKS, { message: `FAULT_HOOKS must be one of ${FAULT_HOOKS.join(', ')}` })
  @ValidateBy({
    name: 'onlyInTests',
    validator: {
      validate: (_value: unknown, args) => (args?.object as CommonConfig).NODE_ENV === 'test',
      defaultMessage: () => 'FAULT_HOOKS is a test-only setting, accepted only when NODE_ENV=test',
    },
  })
  FAULT_HOOKS?: FaultHook;
}

export class MongoConfig extends CommonConfig {
  @Matches(/^mongodb(\+srv)?:\/\/.+/, { message: 'MONGO_URL must be a mongodb:// URL' })
  MONGO_URL!: string;

  @IsString() @MinLength(1)
  MONGO_DB!: string;
}

/** The broker URLs this process connects to: AMQP_URLS's entries, or AMQP_URL alone. */
export function amqpUrlsOf(config: Pick<CommonConfig, 'AMQP_URL' | 'AMQP_URLS'>): string[] {
  if (config.AMQP_URLS !== undefined) return splitUrlList(config.AMQP_URLS);
  if (config.AMQP_URL === undefined) throw new Error('AMQP_URL or AMQP_URLS must be set');
  return [config.AMQP_URL];
}

const splitUrlList = (value: string): string[] => value.split(',').map((u) => u.trim()).filter(Boolean);

function amqpUrlListProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a comma-separated list of amqp:// or amqps:// URLs';
  const urls = splitUrlList(value);
  if (!urls.length) return 'must list at least one amqp:// or amqps:// URL';
  const bad = urls.findIndex((u) => !/^amqps?:\/\/.+/.test(u) || !URL.canParse(u));
  // The position, never the entry: it holds a password.
  if (bad >= 0) return `entry ${bad + 1} is not an amqp:// or amqps:// URL`;
  if (new Set(urls.map(amqpUserOf)).size > 1) return 'must log in as the same user on every node (this process\'s own)';
  return undefined;
}

function amqpUsersProblem(value: unknown, nodeEnv: string): string | undefined {
  if (typeof value !== 'string') return 'must be gateway:<user>,channels:<user>,messages:<user>,notifications:<user>,activation-rules:<user>';
  try {
    const users = Object.values(parseAmqpUsers(value));
    if (nodeEnv === 'production' && new Set(users).size !== users.length) return 'must name a different user for every process when NODE_ENV=production';
    return undefined;
  } catch (err) {
    return `must be gateway:<user>,channels:<user>,…: ${(err as Error).message}`;
  }
}
