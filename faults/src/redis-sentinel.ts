import { RedisSentinelSetup } from '@wellifiy/testing';
import type { KillableServer } from './infra';

/*
 * Redis of the fault suite as a Sentinel setup: a primary, a replica and three Sentinels of its own, every
 * service pointed at the Sentinels (REDIS_SENTINELS). FAULTS_REDIS=single runs the one-node Redis instead.
 */

export type RedisTopology = 'single' | 'sentinel';

/** FAULTS_REDIS: `sentinel` (default) or `single`. */
export function redisTopology(env: NodeJS.ProcessEnv = process.env): RedisTopology {
  const value = env.FAULTS_REDIS || 'sentinel';
  if (value !== 'single' && value !== 'sentinel') throw new Error(`FAULTS_REDIS must be single or sentinel, not ${value}`);
  return value;
}

/** The master name the suite's Sentinels monitor. */
export const FAULTS_SENTINEL_NAME = 'wellifiy-faults';

/** Ports of a Sentinel setup from the suite's Redis port: the two data nodes, then the three Sentinels (+20000). */
export function sentinelPorts(redisPort: number): { nodes: [number, number]; sentinels: [number, number, number] } {
  return { nodes: [redisPort, redisPort + 1], sentinels: [redisPort + 20000, redisPort + 20001, redisPort + 20002] };
}

/** Every port of the Sentinel setup, with what listens there (for the suite's free-port check). */
export function sentinelPortList(redisPort: number): [number, string][] {
  const { nodes, sentinels } = sentinelPorts(redisPort);
  return [[nodes[1], 'Redis replica'], ...sentinels.map((p, i): [number, string] => [p, `Redis Sentinel ${i + 1}`])];
}

/**
 * The Sentinel setup as one killable server: `kill()` takes all of Redis down (both data nodes; the Sentinels
 * stay), `start()` brings it up (the first time: everything; after a kill: the data nodes, primary first).
 * `failover()` is the "Redis failover" fault: the current primary dies and the Sentinels promote the replica.
 */
export class SentinelRedis implements KillableServer {
  readonly name = 'redis';
  readonly topology = 'sentinel' as const;
  readonly setup: RedisSentinelSetup;
  private readonly nodes: [number, number];
  private started = false;
  private down: number[] = [];

  constructor(dir: string, readonly port: number) {
    const { nodes, sentinels } = sentinelPorts(port);
    this.nodes = nodes;
    this.setup = new RedisSentinelSetup({ dir, nodePorts: nodes, sentinelPorts: sentinels, name: FAULTS_SENTINEL_NAME, downAfterMs: 1000 });
  }

  /** What the services get instead of REDIS_URL. */
  get sentinelEnv(): { sentinels: string; name: string } {
    return { sentinels: this.setup.sentinels, name: FAULTS_SENTINEL_NAME };
  }

  /** A REDIS_URL is still part of the local-system options; with Sentinels the services do not read it. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  describe(): string {
    return `Redis Sentinel (primary :${this.nodes[0]}, replica :${this.nodes[1]}, Sentinels ${this.setup.sentinels})`;
  }

  async start(): Promise<void> {
    if (!this.started) {
      await this.setup.start();
      this.started = true;
      return;
    }
    // The node the Sentinels still name as primary first (it has every acknowledged write), then the other.
    const primary = await this.setup.primaryPort();
    const order = [...this.down].sort((a, b) => (a === primary ? -1 : b === primary ? 1 : 0));
    for (const port of order) await this.setup.restartNode(port);
    this.down = [];
  }

  async kill(): Promise<void> {
    for (const port of this.nodes) await this.setup.killNode(port);
    this.down = [...this.nodes];
  }

  /** Kills the primary, waits for the Sentinels to promote the replica, starts the old primary as its replica. */
  async failover(timeoutMs: number): Promise<{ from: number; to: number; ms: number }> {
    const t = Date.now();
    const from = await this.setup.killPrimary();
    const to = await this.setup.waitFailover(from, timeoutMs);
    const ms = Date.now() - t;
    await this.setup.restartNode(from);
    return { from, to, ms };
  }

  async destroy(): Promise<void> {
    await this.setup.destroy();
  }
}
