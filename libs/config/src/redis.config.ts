import { IsOptional, IsString, Matches, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import type { CommonConfig } from './common.config';
import { ProductionSecret, SecretRules } from './development-secrets';

/** The Sentinel master name when REDIS_SENTINEL_NAME is not set (Redis's own default in sentinel.conf). */
export const DEFAULT_REDIS_SENTINEL_NAME = 'mymaster';

export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * `host:port[,host:port…]` → addresses; throws naming the bad entry. An IPv6 host is written in brackets
 * (`[::1]:26379`). No default port: a Sentinel list names its ports.
 */
export function parseRedisSentinels(value: string): SentinelAddress[] {
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new Error('has an empty entry (a comma too many?)');
  const seen = new Set<string>();
  return entries.map((entry) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new Error(`entry "${entry}" is not host:port (e.g. redis-sentinel-0:26379)`);
    const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    const key = `${host.toLowerCase()}:${port}`;
    if (seen.has(key)) throw new Error(`names ${entry} twice`);
    seen.add(key);
    return { host, port };
  });
}

function sentinelsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a comma-separated host:port list of Sentinels';
  try {
    parseRedisSentinels(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** What every Redis-using service reads: one Redis (REDIS_URL) or a Sentinel-managed primary (REDIS_SENTINELS). */
export interface RedisSettings {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_PASSWORD?: string;
}

const sentinelMode = (c: RedisSettings): boolean => c.REDIS_SENTINELS !== undefined;

type ConfigClass = new (...args: any[]) => CommonConfig;

/**
 * Adds the Redis variables to a service's config class: `class XConfig extends WithRedis(MongoConfig)`.
 * Exactly one of REDIS_URL (one Redis) and REDIS_SENTINELS (Sentinels that name the current primary) is set;
 * libs/persistence redis-connection.ts turns either into the connection every Redis client of the service uses.
 */
export function WithRedis<TBase extends ConfigClass>(Base: TBase) {
  class RedisConfigured extends Base implements RedisSettings {
    /** One Redis: `redis://[user:password@]host:port[/db]` (`rediss://` for TLS). Not with REDIS_SENTINELS. */
    @ValidateIf((c: RedisSettings) => !sentinelMode(c) || c.REDIS_URL !== undefined)
    @ValidateBy({
      name: 'redisUrlOrSentinels',
      validator: {
        validate: (value: unknown, args) => {
          const c = args?.object as RedisSettings;
          if (sentinelMode(c)) return value === undefined;
          return typeof value === 'string' && /^rediss?:\/\/.+/.test(value);
        },
        defaultMessage: (args) => {
          const c = args?.object as RedisSettings;
          if (sentinelMode(c)) return 'REDIS_URL and REDIS_SENTINELS are both set: set REDIS_URL for one Redis or REDIS_SENTINELS for a Sentinel setup, not both';
          if (args?.value === undefined) return 'REDIS_URL (redis://host:6379) or REDIS_SENTINELS (host:26379,…) must be set';
          return 'REDIS_URL must be a redis:// or rediss:// URL';
        },
      },
    })
    REDIS_URL?: string;

    /** Sentinel mode: `host:port,host:port,…` of the Sentinels; clients ask them for the primary and follow failovers. */
    @IsOptional()
    @ValidateBy({
      name: 'redisSentinels',
      validator: {
        validate: (value: unknown) => sentinelsProblem(value) === undefined,
        defaultMessage: (args) => `REDIS_SENTINELS ${sentinelsProblem(args?.value) ?? 'is invalid'}`,
      },
    })
    REDIS_SENTINELS?: string;

    /** The master name the Sentinels monitor (`sentinel monitor <name> …`). */
    @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'REDIS_SENTINEL_NAME may contain letters, digits and . _ - only (the name in `sentinel monitor`)' })
    REDIS_SENTINEL_NAME: string = DEFAULT_REDIS_SENTINEL_NAME;

    /** Sentinel mode: the Sentinels' own password (`requirepass` of sentinel.conf), when they have one. */
    @ValidateIf((c: RedisSettings) => c.REDIS_SENTINEL_PASSWORD !== undefined)
    @ValidateBy({
      name: 'onlyWithSentinels',
      validator: {
        validate: (_value: unknown, args) => sentinelMode(args?.object as RedisSettings),
        defaultMessage: () => 'REDIS_SENTINEL_PASSWORD is read only with REDIS_SENTINELS',
      },
    })
    @IsString() @MinLength(1)
    @ProductionSecret(SecretRules.plain(16))
    REDIS_SENTINEL_PASSWORD?: string;

    /** Sentinel mode: the password of the primary and replicas (with REDIS_URL it is in the URL). */
    @ValidateIf((c: RedisSettings) => c.REDIS_PASSWORD !== undefined)
    @ValidateBy({
      name: 'onlyWithSentinels',
      validator: {
        validate: (_value: unknown, args) => sentinelMode(args?.object as RedisSettings),
        defaultMessage: () => 'REDIS_PASSWORD is read only with REDIS_SENTINELS (with REDIS_URL, put the password in the URL)',
      },
    })
    @IsString() @MinLength(1)
    @ProductionSecret(SecretRules.plain(16))
    REDIS_PASSWORD?: string;
  }
  return RedisConfigured;
}
