import { createECDH } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  appPort, APPS, AppName, dropSystemDatabases, LocalSystemOptions, REPLICA_PORT_STRIDE, replicaOptions, RunningApp, startApp, stopApp, TEST_JWT_SECRET, uniqueName, waitReady,
} from '@wellifiy/testing';
import { KillableServer, portOpen, PrivateFerret, PrivateRedis, requireFree } from './infra';
import { RabbitCluster } from './rabbit-cluster';
import { RedisTopology, SentinelRedis, sentinelPortList } from './redis-sentinel';
import { TcpProxy, TcpProxyGroup } from './tcp-proxy';

/** GET /health/ready on a connection of its own (Connection: close), as Kubernetes probes do; 0 when nothing answers. */
function probeReady(port: number, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/ready', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The same AMQP URL (user, password, vhost) on another port of this machine. */
function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

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
  /** Processes of each app (default: DEFAULT_REPLICAS of every one). */
  replicas?: Partial<Record<AppName, number>>;
}

type Ports = Pick<FaultSystemOptions, 'basePort' | 'rabbitPort' | 'ferretPort' | 'redisPort' | 'redis' | 'replicas'>;

/** Nodes of the suite's own RabbitMQ cluster (rabbit-cluster.ts): AMQP on rabbitPort, rabbitPort + 1, …. */
export const RABBITMQ_NODES = 3;

/** Every service and the gateway run this many processes unless told otherwise (FAULTS_REPLICAS). */
export const DEFAULT_REPLICAS = 2;

/** The most replicas of one app: replica r listens REPLICA_PORT_STRIDE × r above the first, below the next run's ports. */
export const MAX_REPLICAS = 8;

/** Replica counts: `n` for every app, or the given ones over the default. */
export function replicaCounts(given?: Partial<Record<AppName, number>> | number): Record<AppName, number> {
  const counts = Object.fromEntries(APPS.map((a) => [a, typeof given === 'number' ? given : (given?.[a] ?? DEFAULT_REPLICAS)])) as Record<AppName, number>;
  for (const [app, n] of Object.entries(counts)) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) throw new Error(`replicas of ${app} must be a whole number from 1 to ${MAX_REPLICAS}, not ${n}`);
  }
  return counts;
}

/**
 * One process of the suite's system: replica `replica` of `app`. Named `channels`, `channels-b`, `channels-c`, … (the
 * first keeps the app's name; the second gateway is `gateway-b`, as the suite always called it).
 */
export interface Instance {
  name: string;
  app: AppName;
  replica: number;
  port: number;
}

export const instanceName = (app: AppName, replica: number): string => (replica ? `${app}-${String.fromCharCode(97 + replica)}` : app);

/** Every process the system runs, back-end services first, then the gateways. */
export function instances(base: number, counts: Record<AppName, number>): Instance[] {
  const order: AppName[] = [...APPS.filter((a) => a !== 'gateway'), 'gateway'];
  return order.flatMap((app) =>
    Array.from({ length: counts[app] }, (_v, replica) => ({ name: instanceName(app, replica), app, replica, port: appPort(base + REPLICA_PORT_STRIDE * replica, app) })),
  );
}

/** The suite's ports besides the apps: the SMTP listener, the TCP proxies in front of the RabbitMQ nodes (partition row, from here up). */
export const smtpPort = (base: number): number => base + 95;
export const rabbitProxyPort = (base: number): number => base + 96;

/** Every port a run listens on, with what listens there. */
export function faultPorts(o: Ports): [number, string][] {
  const b = o.basePort;
  return [
    ...RabbitCluster.ports(o.rabbitPort, RABBITMQ_NODES), [o.ferretPort, 'FerretDB'], [o.redisPort, 'Redis'],
    ...instances(b, replicaCounts(o.replicas)).map((i): [number, string] => [i.port, i.name]),
    [smtpPort(b), 'SMTP'],
    ...Array.from({ length: RABBITMQ_NODES }, (_v, i): [number, string] => [rabbitProxyPort(b) + i, `TCP proxy to RabbitMQ node ${i}`]),
    ...(o.redis === 'sentinel' ? sentinelPortList(o.redisPort) : []),
  ];
}

/** The first set of ports (the given ones, then shifted by 100s) that is all free: runs side by side do not collide. */
export async function pickFreePorts(start: Ports): Promise<Ports> {
  for (let shift = 0; shift <= 900; shift += 100) {
    const o = { ...start, basePort: start.basePort + shift, rabbitPort: start.rabbitPort + shift, ferretPort: start.ferretPort + shift, redisPort: start.redisPort + shift };
    const busy = await Promise.all(faultPorts(o).map(([p]) => portOpen(p)));
    if (!busy.some(Boolean)) return o;
  }
  return start; // start() then names the busy port
}

/** Where the partition row cuts the broker off: one replica of messages (the second when there are two). */
export const PARTITIONED_INSTANCE = (counts: Record<AppName, number>): string => instanceName('messages', counts.messages > 1 ? 1 : 0);

/**
 * Everything the fault suite runs and may kill: its own RabbitMQ node, FerretDB and Redis, and `replicas` processes of
 * each of the four back-end services and of the gateway (two of each by default), each a separate process. One replica
 * of messages reaches RabbitMQ through a TCP proxy of the suite's (`rabbitProxy`), which the partition row cuts.
 */
export class FaultSystem {
  readonly rabbit: RabbitCluster;
  readonly ferret: PrivateFerret;
  readonly redis: PrivateRedis | SentinelRedis;
  /** A TCP proxy in front of each RabbitMQ node, for the partitioned replica only (the partition row cuts them all). */
  readonly rabbitProxy: TcpProxyGroup;
  readonly dbPrefix = uniqueName('faults');
  /** Processes of each app: the one place the topology's replica counts live. */
  readonly replicas: Record<AppName, number>;
  /** Every process of the system, by instance name (see instanceName). */
  readonly instances: ReadonlyMap<string, Instance>;
  readonly partitioned: string;
  readonly apps = new Map<string, RunningApp>();
  private readonly dataDir: string;
  private readonly logsDir: string;
  private readonly appOptions: LocalSystemOptions;
  private readonly vapid = createECDH('prime256v1');

  constructor(readonly opts: FaultSystemOptions) {
    this.replicas = replicaCounts(opts.replicas);
    this.instances = new Map(instances(opts.basePort, this.replicas).map((i) => [i.name, i]));
    this.partitioned = PARTITIONED_INSTANCE(this.replicas);
    this.dataDir = path.join(opts.root, '.data/faults');
    this.logsDir = path.join(opts.root, 'reports/faults-logs');
    this.rabbit = new RabbitCluster(path.join(this.dataDir, 'rabbitmq'), opts.rabbitPort, RABBITMQ_NODES);
    this.rabbitProxy = new TcpProxyGroup(this.rabbit.nodes.map((n, i) => new TcpProxy(rabbitProxyPort(opts.basePort) + i, '127.0.0.1', n.port)));
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

  /** Every gateway's URL, in replica order. */
  get gatewayUrls(): string[] {
    return this.instancesOf('gateway').map((i) => `http://127.0.0.1:${i.port}`);
  }

  /** The processes of one app, in replica order. */
  instancesOf(app: AppName): Instance[] {
    return [...this.instances.values()].filter((i) => i.app === app);
  }

  /** `replicas=2 gateways=2` — for the report's topology line. */
  get replicaSummary(): string {
    const services = APPS.filter((a) => a !== 'gateway').map((a) => this.replicas[a]);
    const same = services.every((n) => n === services[0]);
    const svc = same ? `replicas=${services[0]}` : APPS.filter((a) => a !== 'gateway').map((a) => `${a}=${this.replicas[a]}`).join(' ');
    return `${svc} gateways=${this.replicas.gateway}`;
  }

  get servers(): KillableServer[] {
    return [this.rabbit, this.ferret, this.redis];
  }

  async start(log: (s: string) => void): Promise<void> {
    for (const [port, what] of faultPorts({ ...this.opts, replicas: this.replicas })) await requireFree(port, what);
    if (!RabbitCluster.available()) throw new Error('rabbitmq-server is not installed: the fault suite runs a RabbitMQ cluster of its own');
    const t = Date.now();
    this.ferret.prepare();
    await Promise.all([this.rabbit.start(), this.ferret.start(), this.redis.start(), this.rabbitProxy.start()]);
    this.appOptions.brokerUsers = this.rabbit.provisionUsers();
    log(`own infrastructure up in ${Date.now() - t} ms: RabbitMQ cluster of ${this.rabbit.nodes.length} nodes :${this.rabbit.nodes.map((n) => n.port).join(',')} (formed in ${this.rabbit.startMs} ms; TCP proxies to them on :${this.rabbitProxy.ports.join(',')} for ${this.partitioned}), FerretDB :${this.ferret.port} (${this.ferret.backend}), ${this.redis instanceof SentinelRedis ? this.redis.describe() : `Redis :${this.redis.port}`}`);
    await Promise.all([...this.instances.keys()].map((name) => this.startSupervised(name, log)));
    log(`${this.instances.size} processes up: ${[...this.instances.values()].map((i) => `${i.name} :${i.port}`).join(', ')}`);
  }

/**
   * The first start of one process, as its supervisor (Kubernetes) would run it: a process that exits while starting —
   * ten processes declaring quorum queues on a cluster formed seconds before can meet a node answering 541
   * INTERNAL_ERROR, and a broker call in flight then fails the start — is started again, up to three times, and said
   * in the run log. Faults are injected only once every process is ready.
   */
  private async startSupervised(name: string, log: (s: string) => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startApp(name);
        return;
      } catch (err) {
        const exited = /exited with code/.test((err as Error).message);
        if (!exited || attempt >= 3) throw err;
        log(`${name} exited while starting (${(err as Error).message}); starting it again, as its supervisor would (attempt ${attempt + 1})`);
      }
    }
  }

  /** Starts (or restarts) one process by instance name; `env` adds variables for this run of it only. */
  async startApp(name: string, env: Record<string, string> = {}, waitForReady = true): Promise<RunningApp> {
    const inst = this.instances.get(name);
    if (!inst) throw new Error(`no app ${name} in this system (${[...this.instances.keys()].join(', ')})`);
    const { app, replica } = inst;
    const base = replicaOptions(this.appOptions, replica);
    const brokerUrl = base.brokerUsers?.urls[app] ?? base.amqpUrl;
    // A gateway streams media to a messages replica: its own r when there is one, else the first.
    const messages = this.instancesOf('messages')[replica] ?? this.instancesOf('messages')[0];
    const opts: LocalSystemOptions = {
      ...base,
      logs: replica ? path.join(this.logsDir, name) : this.logsDir,
      extraEnv: {
        ...base.extraEnv,
        [app]: {
          ...(base.extraEnv?.[app] ?? {}),
          ...(app === 'gateway' ? { MESSAGES_INTERNAL_URL: `http://127.0.0.1:${messages.port}` } : {}),
          // The partitioned replica reaches every node through its proxy only.
          ...(name === this.partitioned ? { AMQP_URLS: this.rabbitProxy.ports.map((port) => viaPort(brokerUrl, port)).join(',') } : {}),
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
   * The report's first line: what this run's system is made of (RabbitMQ nodes, processes of each back-end service and
   * of the gateway, the Redis setup).
   */
  topology(): string {
    return `topology: rabbitmq-nodes=${this.rabbit.nodes.length} ${this.replicaSummary} redis=${this.redisTopology}`;
  }

  /** Every app answers /health/ready with 200. */
  async allReady(timeoutMs: number): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => waitReady(a, timeoutMs)));
  }

  /** Readiness of each process right now: name → HTTP status (0 when it does not answer within 3 s). */
  async readiness(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    await Promise.all([...this.apps.entries()].map(async ([name, a]) => void (out[name] = await probeReady(a.port))));
    return out;
  }

  /** A graceful stop (SIGTERM, then SIGKILL after `graceMs`): whether it exited by itself, and how long it took. */
  async stopAppGracefully(name: string, graceMs = 15_000): Promise<{ exited: boolean; ms: number }> {
    const a = this.app(name);
    const started = Date.now();
    await stopApp(a, graceMs);
    return { exited: a.process.signalCode !== 'SIGKILL', ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => stopApp(a, 5000).catch(() => undefined)));
    await this.rabbitProxy.stop();
    // Drop the run's databases while FerretDB still runs, then remove all state.
    await dropSystemDatabases(this.ferret.url, this.dbPrefix).catch(() => undefined); // FerretDB down: nothing more to drop
    for (const s of this.servers) await s.destroy().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
