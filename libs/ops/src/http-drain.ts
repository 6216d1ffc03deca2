import type { Server, ServerResponse } from 'node:http';

/** How long a closing server lets requests in flight finish before it cuts every connection. */
export const HTTP_DRAIN_MS = 10_000;

/**
 * Makes `server.close()` finish under keep-alive clients. Node's close stops new connections and closes the idle
 * ones, but a client that keeps sending on its open keep-alive connection (a load balancer, a readiness prober, the
 * gateway's fetches) keeps that connection busy, so close never completes and a SIGTERM ends in SIGKILL. From close
 * on, every response — those in flight and any that still arrive on an open connection — says `Connection: close`,
 * so each connection ends after its current response; after `drainMs` whatever is left is cut.
 */
export function drainOnClose(server: Server, drainMs = HTTP_DRAIN_MS): void {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const closeAfter = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) closeAfter(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  const close = server.close.bind(server);
  server.close = ((callback?: (err?: Error) => void) => {
    if (!draining) {
      draining = true;
      for (const res of inFlight) closeAfter(res);
      const cut = setTimeout(() => server.closeAllConnections(), drainMs);
      cut.unref();
      server.once('close', () => clearTimeout(cut));
    }
    return close(callback);
  }) as Server['close'];
}
