import net from 'node:net';

/** One proxied connection: the client's socket, the server's (none while held), and whether a partition cut it. */
interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  crossed: boolean;
}

/**
 * A TCP proxy in front of one server (the suite puts it between one service replica and RabbitMQ), which can
 * cut the network between the two sides without either side's help:
 *
 * - `partition()`: bytes stop flowing both ways on every connection — whatever either side sends is dropped, and
 *   neither side is told (no FIN, no RST), as when a network path goes away. Connections opened meanwhile are
 *   accepted and held, never connected through (the connect of a client that waits for the server's greeting
 *   hangs, as it would against an unreachable address).
 * - `heal()`: connections that were open across the partition are reset (as a healed path resets connections
 *   whose peer has since given up), held ones too; new connections are forwarded again.
 * - `dropAll()`: every connection is reset now, the proxy keeps forwarding new ones.
 *
 * The counters let a test check that the cut was real: the server closing its side during a partition means its
 * heartbeat timed out; connections after the heal mean the client came back.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
  private cut = false;
  /** Connections accepted, in all. */
  accepted = 0;
  /** Connections the server's side closed while the partition was on (a server-side heartbeat timeout). */
  upstreamClosedDuringPartition = 0;
  /** Connections the client's side closed while the partition was on (a client-side heartbeat timeout). */
  clientClosedDuringPartition = 0;
  /** Bytes either side sent that the partition dropped. */
  droppedBytes = 0;
  /** Connections forwarded since the last heal. */
  forwardedSinceHeal = 0;

  constructor(
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get partitioned(): boolean {
    return this.cut;
  }

  /** Connections open right now (forwarded or held). */
  get open(): number {
    return this.pairs.size;
  }

  start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    const pair: Pair = { client, crossed: this.cut };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    const gone = (): void => {
      this.pairs.delete(pair);
      pair.client.destroy();
      pair.upstream?.destroy();
    };
    client.on('close', () => {
      if (this.cut && this.pairs.has(pair)) this.clientClosedDuringPartition++;
      gone();
    });
    if (this.cut) {
      // Held: no server behind it until the heal resets it.
      client.on('data', (b: Buffer) => void (this.droppedBytes += b.length));
      return;
    }
    this.forwardedSinceHeal++;
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => {
      if (this.cut && this.pairs.has(pair)) {
        // The server gave up on a connection the partition hides from the client: the client is not told.
        this.upstreamClosedDuringPartition++;
        pair.upstream = undefined;
        return;
      }
      gone();
    });
    const relay = (from: net.Socket, to: () => net.Socket | undefined) =>
      from.on('data', (b: Buffer) => {
        if (this.cut) {
          pair.crossed = true;
          this.droppedBytes += b.length;
          return;
        }
        const dest = to();
        if (dest && !dest.destroyed) dest.write(b);
      });
    relay(client, () => pair.upstream);
    relay(upstream, () => pair.client);
  }

  /** Stops forwarding, both ways, on every connection, without telling either side. */
  partition(): void {
    this.cut = true;
    for (const p of this.pairs) p.crossed = true;
  }

  /** Resets every connection that lived through the partition, then forwards new connections again. */
  heal(): void {
    this.cut = false;
    this.forwardedSinceHeal = 0;
    for (const p of [...this.pairs]) if (p.crossed) this.reset(p);
  }

  /** Resets every open connection now (new ones are forwarded as before). */
  dropAll(): void {
    for (const p of [...this.pairs]) this.reset(p);
  }

  private reset(p: Pair): void {
    this.pairs.delete(p);
    p.client.resetAndDestroy();
    p.upstream?.resetAndDestroy();
  }

  async stop(): Promise<void> {
    this.dropAll();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * One TcpProxy per target (a RabbitMQ cluster's nodes), cut and healed together: the process behind them loses every
 * node at once, as a network partition between it and the cluster would do.
 */
export class TcpProxyGroup {
  constructor(readonly proxies: TcpProxy[]) {}

  get ports(): number[] {
    return this.proxies.map((p) => p.port);
  }
  get open(): number {
    return this.sum((p) => p.open);
  }
  get upstreamClosedDuringPartition(): number {
    return this.sum((p) => p.upstreamClosedDuringPartition);
  }
  get clientClosedDuringPartition(): number {
    return this.sum((p) => p.clientClosedDuringPartition);
  }
  get droppedBytes(): number {
    return this.sum((p) => p.droppedBytes);
  }
  get forwardedSinceHeal(): number {
    return this.sum((p) => p.forwardedSinceHeal);
  }
  partition(): void {
    for (const p of this.proxies) p.partition();
  }
  heal(): void {
    for (const p of this.proxies) p.heal();
  }
  async start(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.start()));
  }
  async stop(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.stop()));
  }

  private sum(of: (p: TcpProxy) => number): number {
    return this.proxies.reduce((n, p) => n + of(p), 0);
  }
}
