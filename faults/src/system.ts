import { createECDH } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { APPS, AppName, dropSystemDatabases, LocalSystemOptions, RunningApp, startApp, stopApp, TEST_JWT_SECRET, uniqueName, waitReady } from '@wellifiy/testing';
import { KillableServer, portOpen, PrivateFerret, PrivateRedis, requireFree } from './infra';
import { RabbitCluster } from './rabbit-cluster';
import { RedisTopology, SentinelRedis, sentinelPortList } from './redis-sentinel';

export interface FaultSystemOptions {
  root: string;
  basePort: number;
  rabbitPort: number;
  ferretPort: number;
  redisPort: number;
  /** FerretDB's storage; by default PostgreSQL when a local one answers, else SQLite. */
  ferretBackend?: 'postgresql' | 'sqlite' | 'auto';
  /** Redis as one node (`single`) or a primary, a replica and three Sentinels (`sentinel`, redis-sentinel.ts). */
  redis?: RedisTopology;
}

type Ports = Pick<FaultSystemOptions, 'basePort' | 'rabbitPort' | 'ferretPort' | 'redisPort' | 'redis'>;

/** Nodes of the suite's own RabbitMQ cluster (rabbit-cluster.ts): AMQP on rabbitPort, rabbitPort + 1, …. */
export const RABBITMQ_NODES = 3;

/** The suite's ports besides the five apps: the second gateway, the SMTP listener. */
export const secondGatewayPort = (base: number): number => base + 5;
export const smtpPort = (base: number): number => base + 25;

/** Every port a run listens on, with what listens there. */
export function faultPorts(o: Ports): [number, string][] {
  const b = o.basePort;
  return [
    ...RabbitCluster.ports(o.rabbitPort, RABBITMQ_NODES), [o.ferretPort, 'FerretDB'], [o.redisPort, 'Redis'],
    [b, 'gateway a'], [b + 1, 'channels'], [b + 2, 'messages'], [b + 3, 'notifications'], [b + 4, 'activation-rules'],
    [secondGatewayPort(b), 'gateway b'], [smtpPort(b), 'SMTP'],
    ...(o.redis === 'sentinel' ? sentinelPortList(o.redisPort) : []),
  ];
}

/** The first set of ports (the given ones, then shifted by 100s) that is all free: runs side by side do not collide. */
export async function pickFreePorts(start: Ports): Promise<Ports> {
  for (let shift = 0; shift <= 900; shift += 100) {
    const o = { basePort: start.basePort + shift, rabbitPort: start.rabbitPort + shift, ferretPort: start.ferretPort + shift, redisPort: start.redisPort + shift, redis: start.redis };
    const busy = await Promise.all(faultPorts(o).map(([p]) => portOpen(p)));
    if (!busy.some(Boolean)) return o;
  }
  return start; // start() then names the busy port
}

const SERVICES = APPS.filter((a) => a !== 'gateway');

/**
 * Everything the fault suite runs and may kill: its own RabbitMQ node, FerretDB and Redis, the four
 * back-end services and two gateway instances, each a separate process.
 */
export class FaultSystem {
  readonly rabbit: RabbitCluster;
  readonly ferret: PrivateFerret;
  readonly redis: PrivateRedis | SentinelRedis;
  readonly dbPrefix = uniqueName('faults');
  readonly apps = new Map<string, RunningApp>();
  private readonly dataDir: string;
  private readonly logsDir: string;
  private readonly appOptions: LocalSystemOptions;
  private readonly vapid = createECDH('prime256v1');

  constructor(readonly opts: FaultSystemOptions) {
    this.dataDir = path.join(opts.root, '.data/faults');
    this.logsDir = path.join(opts.root, 'reports/faults-logs');
    this.rabbit = new RabbitCluster(path.join(this.dataDir, 'rabbitmq'), opts.rabbitPort, RABBITMQ_NODES);
    this.ferret = new PrivateFerret(path.join(opts.root, '.tools/bin/ferretdb'), path.join(this.dataDir, 'ferretdb'), opts.ferretPort, opts.ferretBackend);
    this.redis =
      opts.redis === 'sentinel' ? new SentinelRedis(path.join(this.dataDir, 'redis-sentinel'), opts.redisPort) : new PrivateRedis(path.join(this.dataDir, 'redis'), opts.redisPort);
    this.vapid.generateKeys();
    const key = this.vapid.getPrivateKey();
    this.appOptions = {
      root: opts.root,
      basePort: opts.basePort,
      amqpUrl: this.rabbit.url,
      // Every app gets AMQP_URLS: its own user on each node of the cluster.
      amqpNodes: this.rabbit.hosts,
      redisUrl: this.redis.url,
      ...(this.redis instanceof SentinelRedis ? { redisSentinels: this.redis.sentinelEnv } : {}),
      mongoUrl: this.ferret.url,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix: this.dbPrefix,
      nodeEnv: 'test',
      logLevel: 'warn',
      logs: this.logsDir,
      extraEnv: {
        gateway: { RATE_LIMIT_PER_MINUTE: '100000' },
        notifications: {
          SMTP_URL: `smtp://127.0.0.1:${smtpPort(opts.basePort)}`,
          DIGEST_DEFAULT_FREQUENCY: 'off',
          DIGEST_MINUTE_MS: '1000',
          DIGEST_FANOUT_DELAY_MS: '200',
          VAPID_PUBLIC_KEY: this.vapid.getPublicKey().toString('base64url'),
          VAPID_PRIVATE_KEY: Buffer.concat([Buffer.alloc(32 - key.length), key]).toString('base64url'),
        },
      },
    };
  }

  /** For the report's topology line: `redis=single` or `redis=sentinel`. */
  get redisTopology(): RedisTopology {
    return this.redis instanceof SentinelRedis ? 'sentinel' : 'single';
  }

  get gatewayUrls(): string[] {
    return [`http://127.0.0.1:${this.opts.basePort}`, `http://127.0.0.1:${secondGatewayPort(this.opts.basePort)}`];
  }

  get servers(): KillableServer[] {
    return [this.rabbit, this.ferret, this.redis];
  }

  async start(log: (s: string) => void): Promise<void> {
    for (const [port, what] of faultPorts(this.opts)) await requireFree(port, what);
    if (!RabbitCluster.available()) throw new Error('rabbitmq-server is not installed: the fault suite runs a RabbitMQ cluster of its own');
    const t = Date.now();
    this.ferret.prepare();
    await Promise.all([this.rabbit.start(), this.ferret.start(), this.redis.start()]);
    this.appOptions.brokerUsers = this.rabbit.provisionUsers();
    log(`own infrastructure up in ${Date.now() - t} ms: RabbitMQ cluster of ${this.rabbit.nodes.length} nodes :${this.rabbit.nodes.map((n) => n.port).join(',')} (formed in ${this.rabbit.startMs} ms), FerretDB :${this.ferret.port} (${this.ferret.backend}), ${this.redis instanceof SentinelRedis ? this.redis.describe() : `Redis :${this.redis.port}`}`);
    await Promise.all([...SERVICES.map((a) => this.startApp(a)), this.startApp('gateway'), this.startApp('gateway-b')]);
  }

  /** Starts (or restarts) one app; `env` adds variables for this run of it only. */
  async startApp(name: AppName | 'gateway-b', env: Record<string, string> = {}, waitForReady = true): Promise<RunningApp> {
    const app = name === 'gateway-b' ? 'gateway' : name;
    const opts: LocalSystemOptions = {
      ...this.appOptions,
      basePort: name === 'gateway-b' ? secondGatewayPort(this.opts.basePort) : this.opts.basePort,
      logs: name === 'gateway-b' ? path.join(this.logsDir, 'gateway-b') : this.logsDir,
      extraEnv: {
        ...this.appOptions.extraEnv,
        [app]: {
          ...(this.appOptions.extraEnv?.[app] ?? {}),
          ...(name === 'gateway-b' ? { MESSAGES_INTERNAL_URL: `http://127.0.0.1:${this.opts.basePort + 2}` } : {}),
          ...env,
        },
      },
    };
    const running = startApp(opts, app);
    this.apps.set(name, running);
    if (waitForReady) await waitReady(running, 90_000);
    return running;
  }

  app(name: string): RunningApp {
    const a = this.apps.get(name);
    if (!a) throw new Error(`no app ${name}`);
    return a;
  }

  async killApp(name: string): Promise<void> {
    const a = this.app(name);
    if (a.process.exitCode !== null || a.process.signalCode !== null) return;
    const gone = new Promise<void>((r) => a.process.once('exit', () => r()));
    a.process.kill('SIGKILL');
    await gone;
  }

  /**
   * The report's first line: what this run's system is made of, counted from what it runs (RabbitMQ nodes, the
   * fewest processes any back-end service has, gateway processes, the Redis setup).
   */
  topology(): string {
    const running = [...this.apps.values()];
    const replicas = Math.min(...SERVICES.map((s) => running.filter((a) => a.name === s).length));
    const gateways = running.filter((a) => a.name === 'gateway').length;
    return `topology: rabbitmq-nodes=${this.rabbit.nodes.length} replicas=${replicas} gateways=${gateways} redis=${this.redisTopology}`;
  }

  /** Every app answers /health/ready with 200. */
  async allReady(timeoutMs: number): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => waitReady(a, timeoutMs)));
  }

  /** Readiness of each app right now: name → HTTP status (0 when it does not answer). */
  async readiness(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    await Promise.all(
      [...this.apps.entries()].map(async ([name, a]) => {
        try {
          out[name] = (await fetch(`http://127.0.0.1:${a.port}/health/ready`, { signal: AbortSignal.timeout(3000) })).status;
        } catch {
          out[name] = 0;
        }
      }),
    );
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => stopApp(a, 5000).catch(() => undefined)));
    // Drop the run's databases while FerretDB still runs, then remove all state.
    await dropSystemDatabases(this.ferret.url, this.dbPrefix).catch(() => undefined); // FerretDB down: nothing more to drop
    for (const s of this.servers) await s.destroy().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
