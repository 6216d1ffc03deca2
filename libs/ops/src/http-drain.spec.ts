import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOnClose } from './http-drain';

/** A client that polls over one keep-alive connection without pause, as a prober or load balancer does. */
function keepPolling(port: number): { stop: () => Promise<void>; answered: () => number } {
  let on = true;
  let answered = 0;
  // One keep-alive connection of its own, closed when the client stops.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => (answered++, resolve()));
      });
      req.on('error', () => resolve()); // refused once the server is gone
    });
  const loop = (async () => {
    while (on) {
      await get();
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      agent.destroy();
    },
    answered: () => answered,
  };
}

async function closeWithin(server: http.Server, ms: number): Promise<boolean> {
  return Promise.race([new Promise<boolean>((r) => server.close(() => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe('drainOnClose', () => {
  /** A server whose handler takes 20 ms; `closeDuringNextRequest` calls close() while a request is in flight. */
  const serve = async (drain: boolean) => {
    let hook: (() => void) | null = null;
    const server = http.createServer((_req, res) => {
      hook?.();
      hook = null;
      setTimeout(() => res.end('ok'), 20);
    });
    if (drain) drainOnClose(server, 5000);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const closeDuringNextRequest = (ms: number): Promise<boolean> => new Promise((resolve) => (hook = () => void closeWithin(server, ms).then(resolve)));
    return { server, port: (server.address() as AddressInfo).port, closeDuringNextRequest };
  };

  it('without it, a keep-alive client that keeps asking holds close() open (the shutdown hang it fixes)', async () => {
    const { server, port, closeDuringNextRequest } = await serve(false);
    const client = keepPolling(port);
    await new Promise((r) => setTimeout(r, 50));
    expect(await closeDuringNextRequest(1000)).toBe(false);
    await client.stop();
    server.closeAllConnections();
  });

  it('with it, close() completes at once under the same client, and the request in flight is still answered', async () => {
    const { port, closeDuringNextRequest } = await serve(true);
    const client = keepPolling(port);
    await new Promise((r) => setTimeout(r, 50));
    const before = client.answered();
    expect(await closeDuringNextRequest(1000)).toBe(true);
    await client.stop();
    expect(client.answered()).toBeGreaterThan(before); // not cut: answered, with Connection: close
  });

  it('a request that does not finish is cut after the drain period', async () => {
    const server = http.createServer(() => undefined); // never answers
    drainOnClose(server, 200);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const pending = new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', agent: false }, () => resolve('answered'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    expect(await closeWithin(server, 2000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(await pending).toBe('ECONNRESET');
  });
});
