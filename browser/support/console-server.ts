import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gatewayUrl } from './system';

const DIST = path.resolve(__dirname, '../../dist/apps/console');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

export interface ConsoleSite {
  /** The console's URL (ends in /console/). */
  url: string;
  close(): Promise<void>;
}

/**
 * Where the built console is served: by the gateway at /console/ when it does so, else by a small static server
 * (dist/apps/console, SPA fallback) on its own origin, with the gateway as the API origin (CORS allows it).
 */
export async function serveConsole(): Promise<ConsoleSite> {
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/apps/console is missing: the build (tools/build/build.mjs) builds it');
  const fromGateway = await fetch(`${gatewayUrl}/console/`).catch(() => null);
  if (fromGateway?.ok && (fromGateway.headers.get('content-type') ?? '').includes('text/html')) return { url: `${gatewayUrl}/console/`, close: async () => undefined };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/console/')) {
      res.writeHead(404).end();
      return;
    }
    const rel = path.normalize(decodeURIComponent(url.pathname.slice('/console/'.length))).replace(/^(\.\.[/\\])+/, '');
    let file = path.join(DIST, rel);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) file = path.join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/console/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
