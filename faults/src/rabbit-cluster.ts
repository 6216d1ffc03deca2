import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BrokerUsers, provisionBrokerUsers } from '@wellifiy/testing';
import { KillableServer, PrivateRabbit, sleep } from './infra';

/** name → { ready, unacked, consumers } of every queue of the broker. */
export type QueueCounts = Map<string, { ready: number; unacked: number; consumers: number }>;

/** What the checker and the suite's own probes need of the broker, a single node or a cluster. */
export interface SuiteBroker {
  /** A URL (guest) of a node that runs now, for the suite's own probes and checks. */
  readonly url: string;
  /** One URL (guest) per node. */
  readonly urls: string[];
  queues(): QueueCounts;
}

/**
 * A RabbitMQ cluster of its own for the fault suite: `size` nodes on this machine (node names
 * `wellifiy-faults-<port>@localhost`, AMQP ports `port`, `port + 1`, …, distribution ports 20000 above, a data and
 * log directory each, one Erlang cookie, no plugins), joined with `rabbitmqctl join_cluster`. Each node can be
 * killed (SIGKILL) and started again on its state: it rejoins by itself. `kill()`/`start()` take the whole cluster
 * down and up (the "kill RabbitMQ" row).
 */
export class RabbitCluster implements KillableServer, SuiteBroker {
  readonly name = 'rabbitmq';
  readonly nodes: PrivateRabbit[];
  private readonly down = new Set<number>();
  /** How long forming the cluster took at the last start(), for the run log. */
  startMs = 0;

  constructor(
    private readonly dir: string,
    readonly port: number,
    size: number,
  ) {
    const cookie = randomBytes(24).toString('hex').toUpperCase();
    this.nodes = Array.from({ length: size }, (_x, i) => new PrivateRabbit(path.join(dir, `node-${i}`), port + i, port + i + 20000, cookie));
  }

  static available(): boolean {
    return PrivateRabbit.available();
  }

  /** Every port the cluster listens on (AMQP, then Erlang distribution), with what listens there. */
  static ports(port: number, size: number): [number, string][] {
    return Array.from({ length: size }, (_x, i): [number, string][] => [
      [port + i, `RabbitMQ node ${i}`],
      [port + i + 20000, `RabbitMQ node ${i} distribution`],
    ]).flat();
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  get url(): string {
    return this.running()[0]?.url ?? this.nodes[0].url;
  }

  /** The cluster's nodes as `host:port` (LocalSystemOptions.amqpNodes: each app gets AMQP_URLS). */
  get hosts(): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`);
  }

  private running(): PrivateRabbit[] {
    return this.nodes.filter((_n, i) => !this.down.has(i));
  }

  /**
   * First start: every node on its own, then the others join the first. After a kill of the whole cluster the
   * nodes are started together: each waits for the others to come back before it serves (its queues' state is theirs too).
   */
  async start(): Promise<void> {
    const t = Date.now();
    const fresh = this.down.size === 0;
    await Promise.all(this.nodes.map((n) => n.start()));
    if (fresh) {
      const [first, ...others] = this.nodes;
      await Promise.all(
        others.map(async (n) => {
          n.ctl(['stop_app'], 60_000);
          n.ctl(['join_cluster', first.node], 60_000);
          n.ctl(['start_app'], 120_000);
        }),
      );
    }
    this.down.clear();
    await this.awaitAllOnline();
    this.startMs = Date.now() - t;
  }

  async kill(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    this.nodes.forEach((_n, i) => this.down.add(i));
  }

  /** SIGKILLs node `i` (its clients lose their connections; its queue replicas go with it). */
  async killNode(i: number): Promise<void> {
    this.down.add(i);
    await this.nodes[i].kill();
  }

  /** Starts node `i` again on its state and waits until the cluster has all its nodes back. */
  async startNode(i: number): Promise<void> {
    await this.nodes[i].start();
    this.down.delete(i);
    await this.awaitAllOnline();
  }

  private async awaitAllOnline(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        this.running()[0].ctl(['await_online_nodes', String(this.nodes.length), '--timeout', '60'], 70_000);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the RabbitMQ cluster did not get its ${this.nodes.length} nodes back: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  }

  /** rabbitmqctl against a node that runs (users, permissions and queues are the cluster's). */
  ctl(args: string[]): string {
    return this.running()[0].ctl(args);
  }

  /** Users replicate over the cluster: provisioned once, through a running node (see PrivateRabbit.provisionUsers). */
  provisionUsers(): BrokerUsers {
    return provisionBrokerUsers((args) => void this.ctl(args), this.url, 'wellifiy-faults');
  }

  queues(): QueueCounts {
    const out = this.ctl(['list_queues', '-q', '--no-table-headers', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers']);
    const result: QueueCounts = new Map();
    for (const line of out.split('\n')) {
      const [name, ready, unacked, consumers] = line.trim().split(/\s+/);
      if (name && ready !== undefined) result.set(name, { ready: Number(ready), unacked: Number(unacked), consumers: Number(consumers) });
    }
    return result;
  }

  /** name → type (quorum, classic) of every queue. */
  queueTypes(): Map<string, string> {
    const out = this.ctl(['list_queues', '-q', '--no-table-headers', 'name', 'type']);
    return new Map(
      out
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length === 2)
        .map(([name, type]) => [name, type]),
    );
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.destroy()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
