import net from 'node:net';
import { TcpProxy } from './tcp-proxy';

/** An echo server on a free port; `serverSockets` lets a test close the server's side of a connection. */
async function echoServer(): Promise<{ port: number; sockets: net.Socket[]; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.on('data', (b) => s.write(b));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A client connection that records what it receives and how it ended. */
async function connect(port: number): Promise<{ socket: net.Socket; received: () => string; ended: () => string | null }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  let data = '';
  let end: string | null = null;
  socket.on('data', (b) => (data += b.toString()));
  socket.on('error', (e: NodeJS.ErrnoException) => (end = e.code ?? e.message));
  socket.on('close', () => (end ??= 'closed'));
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  return { socket, received: () => data, ended: () => end };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(10);
  }
}

describe('TcpProxy (the fault suite’s network partition)', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = new TcpProxy(await freePort(), '127.0.0.1', echo.port);
    await proxy.start();
  });

  afterEach(async () => {
    await proxy.stop();
    await echo.close();
  });

  it('forwards both ways', async () => {
    const c = await connect(proxy.port);
    c.socket.write('hello');
    await until('the echo', () => c.received() === 'hello');
    expect(proxy.accepted).toBe(1);
    expect(proxy.open).toBe(1);
  });

  it('a partition drops what either side sends and tells neither; the server giving up is counted, not passed on', async () => {
    const c = await connect(proxy.port);
    c.socket.write('before');
    await until('the echo', () => c.received() === 'before');
    proxy.partition();
    c.socket.write('during');
    echo.sockets[0].write('from the server');
    await until('the drop', () => proxy.droppedBytes >= 'during'.length);
    await sleep(100);
    expect(c.received()).toBe('before');
    echo.sockets[0].destroy(); // as the broker does when heartbeats stop
    await until('the count', () => proxy.upstreamClosedDuringPartition === 1);
    await sleep(100);
    expect(c.ended()).toBeNull(); // the client still believes in its connection
  });

  it('connections opened during a partition are held, not connected through; the heal resets them and every cut one', async () => {
    const before = await connect(proxy.port);
    proxy.partition();
    const during = await connect(proxy.port);
    during.socket.write('anyone?');
    await sleep(100);
    expect(echo.sockets).toHaveLength(1); // only the first reached the server
    expect(during.received()).toBe('');
    proxy.heal();
    await until('both reset', () => before.ended() !== null && during.ended() !== null);
    expect(before.ended()).toBe('ECONNRESET');
    expect(during.ended()).toBe('ECONNRESET');
    const after = await connect(proxy.port);
    after.socket.write('again');
    await until('the echo after the heal', () => after.received() === 'again');
    expect(proxy.forwardedSinceHeal).toBe(1);
  });

  it('dropAll resets every connection and keeps forwarding new ones', async () => {
    const a = await connect(proxy.port);
    proxy.dropAll();
    await until('reset', () => a.ended() !== null);
    const b = await connect(proxy.port);
    b.socket.write('x');
    await until('the echo', () => b.received() === 'x');
  });
});
