import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';

/*
 * A Redis Sentinel setup of its own for tests and the fault suite: a primary, a replica and three Sentinels, each a
 * redis-server child process on its own port with its state in a directory of its own. Nothing shared is touched.
 */

export interface RedisSentinelSetupOptions {
  /** State directory (node data, generated sentinel.conf files, logs); removed by destroy(). */
  dir: string;
  /** The two data nodes: the first starts as primary, the second as its replica. */
  nodePorts: [number, number];
  sentinelPorts: [number, number, number];
  /** The monitored master name (REDIS_SENTINEL_NAME). */
  name?: string;
  /** Sentinel down-after-milliseconds: how long the primary may not answer before a failover starts. */
  downAfterMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(100);
  }
}

/** One command on a short-lived connection that never retries (the probes poll). */
async function command(port: number, args: string[]): Promise<unknown> {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.call(args[0], ...args.slice(1));
  } finally {
    c.disconnect();
  }
}

export class RedisSentinelSetup {
  readonly name: string;
  private readonly children = new Map<number, ChildProcess>();
  private readonly downAfterMs: number;

  constructor(private readonly opts: RedisSentinelSetupOptions) {
    this.name = opts.name ?? 'mymaster';
    this.downAfterMs = opts.downAfterMs ?? 1000;
  }

  /** The REDIS_SENTINELS value of this setup. */
  get sentinels(): string {
    return this.opts.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** Every port the setup listens on, with what listens there. */
  get ports(): [number, string][] {
    return [
      ...this.opts.nodePorts.map((p, i): [number, string] => [p, `Redis ${i === 0 ? 'primary' : 'replica'}`]),
      ...this.opts.sentinelPorts.map((p, i): [number, string] => [p, `Redis Sentinel ${i + 1}`]),
    ];
  }

  /** Starts both data nodes and the Sentinels; resolves when the Sentinels see the primary, its replica and each other. */
  async start(): Promise<void> {
    const [primary, replica] = this.opts.nodePorts;
    for (const [port, what] of this.ports) if (await portOpen(port)) throw new Error(`port ${port} (${what}) is already in use`);
    await this.startNode(primary);
    await this.startNode(replica, primary);
    await this.waitReplicated(replica);
    await Promise.all(this.opts.sentinelPorts.map((p) => this.startSentinel(p, primary)));
    await until('the Sentinels did not find the replica and each other', 30_000, async () => {
      for (const p of this.opts.sentinelPorts) {
        const [master] = (await command(p, ['SENTINEL', 'MASTERS'])) as string[][];
        const info = fields(master ?? []);
        if (Number(info['num-slaves']) < 1 || Number(info['num-other-sentinels']) < 2) return undefined;
      }
      return true;
    });
  }

  /** Port of the node the Sentinels currently name as primary. */
  async primaryPort(): Promise<number> {
    return until('no Sentinel named a primary', 10_000, async () => {
      for (const p of this.opts.sentinelPorts) {
        try {
          const addr = (await command(p, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name])) as [string, string] | null;
          if (addr) return Number(addr[1]);
        } catch {
          // that Sentinel is down: ask the next
        }
      }
      return undefined;
    });
  }

  /** SIGKILLs the current primary; returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.killNode(port);
    return port;
  }

  /** SIGKILLs one data node (primary or replica) by port. */
  async killNode(port: number): Promise<void> {
    const child = this.children.get(port);
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    }
    this.children.delete(port);
    while (await portOpen(port)) await sleep(50);
  }

  /** Waits until every Sentinel names a primary other than `oldPort` and that node answers as a master; returns its port. */
  async waitFailover(oldPort: number, timeoutMs = 30_000): Promise<number> {
    return until(`no failover away from :${oldPort}`, timeoutMs, async () => {
      const named = new Set<number>();
      for (const p of this.opts.sentinelPorts) {
        const addr = (await command(p, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name])) as [string, string];
        named.add(Number(addr[1]));
      }
      const [port] = [...named];
      if (named.size !== 1 || port === oldPort) return undefined;
      const role = (await command(port, ['ROLE'])) as [string];
      return role[0] === 'master' ? port : undefined;
    });
  }

  /**
   * Starts a killed data node again as a replica of the current primary (as an operator's or an orchestrator's
   * start script does: it asks the Sentinels), and waits until it has synchronised.
   */
  async restartNode(port: number): Promise<void> {
    const primary = await this.primaryPort();
    await this.startNode(port, primary === port ? undefined : primary);
    if (primary !== port) await this.waitReplicated(port);
  }

  /** Kills everything and removes the state directory. */
  async destroy(): Promise<void> {
    await Promise.all([...this.children.keys()].map((p) => this.killNode(p)));
    rmSync(this.opts.dir, { recursive: true, force: true });
  }

  private async waitReplicated(port: number): Promise<void> {
    await until(`the replica on :${port} did not synchronise`, 30_000, async () => {
      const info = String(await command(port, ['INFO', 'replication']));
      return /master_link_status:up/.test(info) ? true : undefined;
    });
  }

  private async startNode(port: number, replicaOf?: number): Promise<void> {
    const dir = path.join(this.opts.dir, `node-${port}`);
    mkdirSync(dir, { recursive: true });
    // Append-only, fsync always: what a node acknowledged survives its own kill (as the single-Redis setup).
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--daemonize', 'no'];
    if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    await this.spawn(port, args, path.join(dir, 'redis.log'));
  }

  private async startSentinel(port: number, primary: number): Promise<void> {
    const dir = path.join(this.opts.dir, `sentinel-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = path.join(dir, 'sentinel.conf'); // Sentinel rewrites it with what it learns
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${this.name} ${this.downAfterMs}`,
        `sentinel failover-timeout ${this.name} 10000`,
        `sentinel parallel-syncs ${this.name} 1`,
        '',
      ].join('\n'),
    );
    await this.spawn(port, [conf, '--sentinel'], path.join(dir, 'sentinel.log'));
  }

  private async spawn(port: number, args: string[], logFile: string): Promise<void> {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    child.once('error', (err) => process.stderr.write(`redis-server on :${port} could not start: ${err.message}\n`));
    this.children.set(port, child);
    await until(`redis-server did not open port ${port}`, 15_000, async () => ((await portOpen(port)) ? true : undefined));
  }
}

/** A Redis reply of alternating field names and values → an object. */
function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
