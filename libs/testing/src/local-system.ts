import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
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
  redisUrl: string;
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
}

export interface RunningApp {
  name: AppName;
  port: number;
  process: ChildProcess;
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
    AMQP_URL: opts.brokerUsers?.urls[app] ?? opts.amqpUrl,
    AMQP_USERS: opts.brokerUsers?.amqpUsers ?? sharedAmqpUsers(opts.amqpUrl),
    HTTP_PORT: String(appPort(opts.basePort, app)),
  };
  if (app === 'gateway') Object.assign(env, { REDIS_URL: opts.redisUrl, JWT_SECRET: opts.jwtSecret });
  // Media bytes: the gateway streams them to and from the messages service's HTTP port.
  if (app === 'gateway') env.MESSAGES_INTERNAL_URL = `http://127.0.0.1:${appPort(opts.basePort, 'messages')}`;
  else Object.assign(env, { MONGO_URL: opts.mongoUrl, MONGO_DB: `${opts.dbPrefix}-${app}` });
  // Every app: content events are sealed on the broker with the one ring, and each service seals what it stores.
  Object.assign(env, { ENCRYPTION_KEYS: LOCAL_ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID: LOCAL_ENCRYPTION_ACTIVE_KEY_ID });
  // Each system's BullMQ jobs under their own Redis key prefix: systems sharing a Redis never take each other's.
  if (APPS_WITH_JOBS.has(app)) {
    env.REDIS_URL = opts.redisUrl;
    env.QUEUE_PREFIX = opts.queuePrefix ?? opts.dbPrefix;
  }
  return { ...env, ...(opts.extraEnv?.[app] ?? {}) };
}

/** Starts one app as its own process (node dist/apps/<app>/src/main.js). */
export function startApp(opts: LocalSystemOptions, app: AppName): RunningApp {
  const child = spawn(process.execPath, ['--enable-source-maps', ...(opts.nodeArgs?.(app) ?? []), path.join(opts.root, 'dist/apps', app, 'src/main.js')], {
    cwd: opts.root,
    env: { PATH: process.env.PATH ?? '', ...appEnv(opts, app) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.logs === 'inherit') {
    const prefix = `[${app}] `;
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) process.stdout.write(prefix + line + '\n');
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
  } else {
    mkdirSync(opts.logs, { recursive: true });
    const file = createWriteStream(path.join(opts.logs, `${app}.log`), { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  return { name: app, port: appPort(opts.basePort, app), process: child };
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

/** All five apps, started together; each is waited for until its readiness passes. */
export async function startSystem(opts: LocalSystemOptions, readyTimeoutMs = 60_000): Promise<RunningApp[]> {
  const apps = APPS.map((a) => startApp(opts, a));
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
