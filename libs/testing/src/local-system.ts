import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { testInfra } from './infra';
import { TEST_JWT_SECRET } from './tokens';
import { BrokerUsers, sharedAmqpUsers } from './vhost';

export const APPS = ['channels', 'messages', 'notifications', 'activation-rules', 'gateway'] as const;
export type AppName = (typeof APPS)[number];

export interface LocalSystemOptions {
  /** Repository root (dist/ must be built). */
  root: string;
  /** gateway = basePort, then channels, messages, notifications, activation-rules. */
  basePort: number;
  amqpUrl: string;
  /** A broker user per process kind (provisionBrokerUsers); without, every app connects with `amqpUrl`'s user. */
  brokerUsers?: BrokerUsers | null;
  /**
   * The `host:port` of every node of a RabbitMQ cluster: each app then gets AMQP_URLS (its own user on each node)
   * instead of AMQP_URL.
   */
  amqpNodes?: string[];
  redisUrl: string;
  /** A Sentinel setup instead of `redisUrl`: every Redis-using app gets REDIS_SENTINELS and REDIS_SENTINEL_NAME. */
  redisSentinels?: { sentinels: string; name: string };
  mongoUrl: string;
  jwtSecret: string;
  /** Database names are `<dbPrefix>-<app>`. */
  dbPrefix: string;
  /** Prefix of the BullMQ keys in Redis, so systems sharing a Redis never take each other's jobs (default: dbPrefix). */
  queuePrefix?: string;
  nodeEnv: 'development' | 'test';
  logLevel?: string;
  /** Where each app's output goes: a directory of <app>.log files, or 'inherit' (prefixed lines on stdout). */
  logs: string | 'inherit';
  extraEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Extra node flags per app (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
  nodeArgs?: (app: AppName) => string[];
  /** Which replica of the app this is (0: the first); only names its log file and log prefix. See replicaOptions. */
  replica?: number;
}

export interface RunningApp {
  name: AppName;
  port: number;
  process: ChildProcess;
  /** 0 for the first replica of the app. */
  replica?: number;
}

/** Replica r of the system listens r × REPLICA_PORT_STRIDE above the first: gateway base+10r, channels base+10r+1, … */
export const REPLICA_PORT_STRIDE = 10;

/** `channels`, `channels-2`, `channels-3`, …: how logs and reports name replica r of an app. */
export const replicaName = (app: AppName, replica = 0): string => (replica ? `${app}-${replica + 1}` : app);

/**
 * The options of replica r of every app: its ports shifted by r × REPLICA_PORT_STRIDE (its gateway streams media to
 * the messages replica of the same r). Everything else — databases, queues, Redis prefix — is the system's, shared.
 */
export function replicaOptions(opts: LocalSystemOptions, replica: number): LocalSystemOptions {
  return { ...opts, basePort: opts.basePort + REPLICA_PORT_STRIDE * replica, replica };
}

/**
 * Encryption-at-rest key ring of local systems (development runs and tests). Two keys, the second active, so a
 * local system always runs with a rotated ring. Never use these outside a developer machine or CI.
 */
export const LOCAL_ENCRYPTION_KEYS = 'local1:hySPjx7P1p5D6ZdR3K3swcX9oGbh3wzmlFGrfHA6J88=,local2:v51UM0chmJCp+dBzjKcR5ImsTn7xoaBahfDPG6uTmas=';
export const LOCAL_ENCRYPTION_ACTIVE_KEY_ID = 'local2';

/** Apps that run BullMQ queues and need Redis besides the gateway. */
const APPS_WITH_JOBS: ReadonlySet<AppName> = new Set(['channels', 'messages', 'notifications']);

export function appPort(base: number, app: AppName): number {
  return app === 'gateway' ? base : base + 1 + APPS.indexOf(app);
}

export function appEnv(opts: LocalSystemOptions, app: AppName): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: opts.nodeEnv,
    LOG_LEVEL: opts.logLevel ?? 'log',
    ...amqpUrlEnv(opts.brokerUsers?.urls[app] ?? opts.amqpUrl, opts.amqpNodes),
    AMQP_USERS: opts.brokerUsers?.amqpUsers ?? sharedAmqpUsers(opts.amqpUrl),
    HTTP_PORT: String(appPort(opts.basePort, app)),
  };
  const redisEnv: Record<string, string> = opts.redisSentinels
    ? { REDIS_SENTINELS: opts.redisSentinels.sentinels, REDIS_SENTINEL_NAME: opts.redisSentinels.name }
    : { REDIS_URL: opts.redisUrl };
  if (app === 'gateway') Object.assign(env, { ...redisEnv, JWT_SECRET: opts.jwtSecret });
  // Media bytes: the gateway streams them to and from the messages service's HTTP port.
  if (app === 'gateway') env.MESSAGES_INTERNAL_URL = `http://127.0.0.1:${appPort(opts.basePort, 'messages')}`;
  else Object.assign(env, { MONGO_URL: opts.mongoUrl, MONGO_DB: `${opts.dbPrefix}-${app}` });
  // Every app: content events are sealed on the broker with the one ring, and each service seals what it stores.
  Object.assign(env, { ENCRYPTION_KEYS: LOCAL_ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID: LOCAL_ENCRYPTION_ACTIVE_KEY_ID });
  // Each system's BullMQ jobs under their own Redis key prefix: systems sharing a Redis never take each other's.
  if (APPS_WITH_JOBS.has(app)) {
    Object.assign(env, redisEnv);
    env.QUEUE_PREFIX = opts.queuePrefix ?? opts.dbPrefix;
  }
  return { ...env, ...(opts.extraEnv?.[app] ?? {}) };
}

/** AMQP_URL, or AMQP_URLS with `url`'s user, password and vhost on each of `nodes`. */
function amqpUrlEnv(url: string, nodes: string[] | undefined): Record<string, string> {
  if (!nodes?.length) return { AMQP_URL: url };
  return {
    AMQP_URLS: nodes
      .map((node) => {
        const u = new URL(url);
        u.host = node;
        return u.toString();
      })
      .join(','),
  };
}

/** Starts one app as its own process (node dist/apps/<app>/src/main.js). */
export function startApp(opts: LocalSystemOptions, app: AppName): RunningApp {
  const child = spawn(process.execPath, ['--enable-source-maps', ...(opts.nodeArgs?.(app) ?? []), path.join(opts.root, 'dist/apps', app, 'src/main.js')], {
    cwd: opts.root,
    env: { PATH: process.env.PATH ?? '', ...appEnv(opts, app) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = replicaName(app, opts.replica);
  if (opts.logs === 'inherit') {
    const prefix = `[${name}] `;
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) process.stdout.write(prefix + line + '\n');
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
  } else {
    mkdirSync(opts.logs, { recursive: true });
    const file = createWriteStream(path.join(opts.logs, `${name}.log`), { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  return { name: app, port: appPort(opts.basePort, app), process: child, replica: opts.replica ?? 0 };
}

export async function waitReady(app: RunningApp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (app.process.exitCode !== null) throw new Error(`${app.name} exited with code ${app.process.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`);
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${app.name} not ready after ${timeoutMs} ms: ${last}`);
}

export async function stopApp(app: RunningApp, graceMs = 10_000): Promise<void> {
  const p = app.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts one app and waits for its readiness; stops it again when it does not get ready. `port` puts it beside the
 * system's layout (another replica of a running system) instead of on its own port of `opts.basePort`.
 */
export async function launchApp(opts: LocalSystemOptions, app: AppName, launch: { port?: number; readyTimeoutMs?: number } = {}): Promise<RunningApp> {
  const { port, readyTimeoutMs = 30_000 } = launch;
  const moved = port === undefined ? opts : { ...opts, extraEnv: { ...opts.extraEnv, [app]: { ...opts.extraEnv?.[app], HTTP_PORT: String(port) } } };
  const started = startApp(moved, app);
  const running: RunningApp = { ...started, port: port ?? started.port };
  try {
    await waitReady(running, readyTimeoutMs);
  } catch (err) {
    await stopApp(running);
    throw err;
  }
  return running;
}

/** A process a test started beside a running system. */
export interface ExtraGateway {
  url: string;
  stop(): Promise<void>;
}

/**
 * Another gateway replica on `port` beside the system of `opts` (same broker, Redis and databases), with `env` over
 * the system's gateway environment; it logs to `<opts.logs>/gateway-<port>/`.
 */
export async function startGatewayBeside(opts: LocalSystemOptions, port: number, env: Record<string, string> = {}): Promise<ExtraGateway> {
  const app = await launchApp(
    { ...opts, logs: path.join(opts.logs, `gateway-${port}`), extraEnv: { ...opts.extraEnv, gateway: { ...opts.extraEnv?.gateway, ...env } } },
    'gateway',
    { port },
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => stopApp(app) };
}

/**
 * The options of the system a test run's global setup started (e2e/support/global-setup.ts, which the browser tier
 * shares), from what it leaves in the environment: E2E_AMQP_URL (its virtual host), E2E_BROKER_USERS and
 * E2E_DB_PREFIX. For the processes a spec starts beside that system or in place of one of its apps.
 */
export function startedSystemOptions(root: string, basePort: number, logs: string, env: NodeJS.ProcessEnv = process.env): LocalSystemOptions {
  return {
    root,
    basePort,
    amqpUrl: env.E2E_AMQP_URL ?? testInfra.amqpUrl,
    brokerUsers: env.E2E_BROKER_USERS ? (JSON.parse(env.E2E_BROKER_USERS) as BrokerUsers) : null,
    redisUrl: testInfra.redisUrl,
    mongoUrl: testInfra.mongoUrl,
    jwtSecret: TEST_JWT_SECRET,
    dbPrefix: env.E2E_DB_PREFIX ?? 'e2e',
    nodeEnv: 'test',
    logLevel: 'warn',
    logs,
    // As the global setup starts the system's own gateway: the suites send far more than a client would.
    extraEnv: { gateway: { RATE_LIMIT_PER_MINUTE: '100000' } },
  };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops processes known only by pid (started by another process of the test run, so no ChildProcess to wait on):
 * SIGTERM (their graceful shutdown), SIGKILL for those still running after `graceMs`; resolves once all are gone.
 */
export async function stopPids(pids: number[], graceMs = 10_000): Promise<void> {
  const running = (): number[] => pids.filter(processAlive);
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  for (const pid of running()) signal(pid, 'SIGTERM');
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
  const deadline = Date.now() + graceMs;
  while (running().length && Date.now() < deadline) await pause();
  for (const pid of running()) signal(pid, 'SIGKILL');
  // A killed process is gone at once, unless it is a child of this one that nobody has reaped: bounded, then.
  const killedBy = Date.now() + 5_000;
  while (running().length && Date.now() < killedBy) await pause();
}

/**
 * All five apps, `replicas` processes of each (replica r on the ports of replicaOptions); back-end services first so
 * the gateway's readiness (which pings them) can pass.
 */
export async function startSystem(opts: LocalSystemOptions, readyTimeoutMs = 60_000, replicas = 1): Promise<RunningApp[]> {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) throw new Error(`replicas must be a whole number from 1 to 9, not ${replicas}`);
  const apps = Array.from({ length: replicas }, (_r, r) => APPS.map((a) => startApp(replicaOptions(opts, r), a))).flat();
  try {
    await Promise.all(apps.map((a) => waitReady(a, readyTimeoutMs)));
  } catch (err) {
    await Promise.all(apps.map((a) => stopApp(a)));
    throw err;
  }
  return apps;
}

/** Drops the databases of a system started with `dbPrefix` (`<dbPrefix>-<app>`). Only once its apps have stopped. */
export async function dropSystemDatabases(mongoUrl: string, dbPrefix: string): Promise<void> {
  const client = await new mongoose.mongo.MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 }).connect();
  try {
    const { databases } = await client.db().admin().listDatabases({ nameOnly: true });
    for (const d of databases) if (d.name.startsWith(`${dbPrefix}-`)) await client.db(d.name).dropDatabase();
  } finally {
    await client.close();
  }
}
