import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BrokerUsers, provisionBrokerUsers } from '@wellifiy/testing';

/*
 * The suite's own RabbitMQ node, FerretDB and Redis, started as child processes it may kill: the shared
 * instances other runs use are never touched.
 */

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function waitPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs} ms`);
}

export async function requireFree(port: number, what: string): Promise<void> {
  if (await portOpen(port)) throw new Error(`port ${port} (${what}) is already in use; the fault suite needs it free`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function logTo(child: ChildProcess, file: string): void {
  const out = createWriteStream(file, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
}

/** A dependency the suite can kill (SIGKILL) and start again on the same port and state. */
export interface KillableServer {
  readonly name: string;
  readonly port: number;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** Stops it for good and removes its state. */
  destroy(): Promise<void>;
}

/** A RabbitMQ node of its own (own node name, ports, Mnesia directory and Erlang cookie; no plugins). */
export class PrivateRabbit implements KillableServer {
  readonly name = 'rabbitmq';
  readonly node: string;
  private child?: ChildProcess;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly dir: string,
    readonly port: number,
    distPort: number,
    /** The Erlang cookie (nodes of one cluster share it); by default the node makes one of its own. */
    cookie?: string,
  ) {
    this.node = `wellifiy-faults-${port}@localhost`;
    mkdirSync(path.join(dir, 'home'), { recursive: true });
    if (cookie) {
      const file = path.join(dir, 'home/.erlang.cookie');
      rmSync(file, { force: true });
      writeFileSync(file, cookie, { mode: 0o400 });
    }
    writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
    this.env = {
      PATH: process.env.PATH,
      HOME: path.join(dir, 'home'),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(dir, 'log'),
      RABBITMQ_PID_FILE: path.join(dir, 'beam.pid'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: path.join(dir, 'none'),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'none-advanced.config'),
    };
  }

  static available(): boolean {
    return existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server');
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    rmSync(path.join(this.dir, 'beam.pid'), { force: true });
    this.child = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    logTo(this.child, path.join(this.dir, 'server.log'));
    await waitPort(this.port, 90_000, 'RabbitMQ');
  }

  private beamPid(): number | null {
    try {
      return Number(readFileSync(path.join(this.dir, 'beam.pid'), 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }

  async kill(): Promise<void> {
    const pid = this.beamPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.child) {
      this.child.kill('SIGKILL');
      await exited(this.child);
    }
    while (await portOpen(this.port)) await sleep(100);
  }

  /** rabbitmqctl against this node only. */
  ctl(args: string[], timeoutMs = 30_000): string {
    return execFileSync('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-n', this.node, ...args], { env: this.env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * A user per process kind with the least-privilege permissions the deployments use (libs/contracts
   * broker-access.ts), so the fault suite kills and restarts services that connect as they do in production.
   * `url` (guest) stays the suite's own, for its probes and checks. Users live in the node's Mnesia directory,
   * so they survive the node's kill and restart.
   */
  provisionUsers(): BrokerUsers {
    return provisionBrokerUsers((args) => void this.ctl(args), this.url, 'wellifiy-faults');
  }

  /** name → { ready, unacked, consumers } of every queue of the node. */
  queues(): Map<string, { ready: number; unacked: number; consumers: number }> {
    const out = this.ctl(['list_queues', '-q', '--no-table-headers', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers']);
    const result = new Map<string, { ready: number; unacked: number; consumers: number }>();
    for (const line of out.split('\n')) {
      const [name, ready, unacked, consumers] = line.trim().split(/\s+/);
      if (name && ready !== undefined) result.set(name, { ready: Number(ready), unacked: Number(unacked), consumers: Number(consumers) });
    }
    return result;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A server that is one child process of the suite: killed with SIGKILL, its state in `dir`. */
abstract class ChildServer implements KillableServer {
  abstract readonly name: string;
  protected child?: ChildProcess;

  constructor(
    protected readonly dir: string,
    readonly port: number,
  ) {}

  protected abstract command(): [string, string[]];

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const [bin, args] = this.command();
    if (path.isAbsolute(bin) && !existsSync(bin)) throw new Error(`${this.name}: ${bin} does not exist (the test command and npm run faults build it)`);
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.once('error', (err) => process.stderr.write(`[faults] ${this.name} could not start: ${err.message}\n`));
    logTo(this.child, path.join(this.dir, `${this.name}.log`));
    await waitPort(this.port, 30_000, this.name);
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await exited(this.child);
    while (await portOpen(this.port)) await sleep(100);
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * FerretDB (the database server the services talk to) on its own port. Its storage is a PostgreSQL database of
 * its own (`wellifiy_faults_<port>`, created empty and dropped afterwards) when a local PostgreSQL answers — the
 * backend FerretDB hands filters to, so a full run's thousands of messages stay fast — else SQLite files in its
 * state directory, which FerretDB scans whole for every query. Killing "the database server" kills FerretDB: the
 * process the services hold connections to.
 */
export class PrivateFerret extends ChildServer {
  readonly name = 'ferretdb';
  readonly backend: 'postgresql' | 'sqlite';
  private readonly pgDatabase: string;

  constructor(
    private readonly bin: string,
    dir: string,
    port: number,
    backend: 'postgresql' | 'sqlite' | 'auto' = 'auto',
  ) {
    super(dir, port);
    this.pgDatabase = `wellifiy_faults_${port}`;
    this.backend = backend === 'auto' ? (PrivateFerret.postgresAvailable() ? 'postgresql' : 'sqlite') : backend;
  }

  /** A local PostgreSQL that accepts the postgres user without a password (as on the development machines and CI). */
  static postgresAvailable(): boolean {
    try {
      return psql('select 1').trim() === '1';
    } catch {
      return false;
    }
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}`;
  }

  /**
   * Creates the PostgreSQL database afresh (left over from an interrupted run, it is dropped first) and prepares it
   * as tools/scripts/lib/infra.sh does: GIN companions of FerretDB's indexes, plan_cache_mode = force_custom_plan.
   */
  prepare(): void {
    if (this.backend !== 'postgresql') return;
    psql(`drop database if exists ${this.pgDatabase} with (force)`);
    psql(`create database ${this.pgDatabase}`);
    // the script sits beside the build's patches: <root>/.tools/bin/ferretdb → <root>/tools/scripts/lib
    const setup = path.resolve(path.dirname(this.bin), '../../tools/scripts/lib/ferretdb-postgresql-indexes.sql');
    execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', this.pgDatabase, '-v', 'ON_ERROR_STOP=1', '-qAt', '-f', setup], {
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  protected command(): [string, string[]] {
    const storage =
      this.backend === 'postgresql'
        ? // FerretDB's pool above the services' in-flight commands, as in tools/scripts/lib/infra.sh (its update deadlock).
          [`--handler=postgresql`, `--postgresql-url=postgres://postgres@127.0.0.1:5432/${this.pgDatabase}?pool_max_conns=80`]
        : ['--handler=sqlite', `--sqlite-url=file:${this.dir}/`];
    return [this.bin, [...storage, `--state-dir=${this.dir}`, `--listen-addr=127.0.0.1:${this.port}`, '--debug-addr=-', '--telemetry=disable', '--log-level=warn']];
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    if (this.backend === 'postgresql') psql(`drop database if exists ${this.pgDatabase} with (force)`);
  }
}

function psql(sql: string): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-Atqc', sql], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** redis-server in the foreground on its own port; an append-only file (fsync always) so jobs survive a kill. */
export class PrivateRedis extends ChildServer {
  readonly name = 'redis';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected command(): [string, string[]] {
    return [
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir, '--daemonize', 'no'],
    ];
  }
}
