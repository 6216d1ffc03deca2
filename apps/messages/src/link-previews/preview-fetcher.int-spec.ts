import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HostAllowList } from '@wellifiy/outbound';
import { MAX_REDIRECTS, PreviewFetcher, PreviewRefused } from './preview-fetcher';

/** The fetcher against real local HTTP servers: the allow-list admits the test server and nothing else. */
describe('PreviewFetcher (local HTTP servers)', () => {
  let server: http.Server;
  let port: number;
  let otherServer: http.Server;
  let otherPort: number;
  const otherHits: string[] = [];

  const page = '<html><head><title>Local page</title><meta property="og:description" content="served locally"></head></html>';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/page':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
          return;
        case '/redirect-private':
          res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/secret` }).end();
          return;
        case '/redirect-metadata':
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
          return;
        case '/redirect-local':
          res.writeHead(301, { location: '/page' }).end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        case '/slow':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<title>slow');
          return; // never ends
        case '/huge':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<title>Huge</title>');
          res.end('x'.repeat(200_000));
          return;
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        default:
          res.writeHead(404).end();
      }
    });
    otherServer = http.createServer((req, res) => {
      otherHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>internal</title>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => otherServer.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    otherPort = (otherServer.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    otherServer.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => otherServer.close(r));
  });

  const fetcher = (limits: Partial<{ timeoutMs: number; maxBytes: number }> = {}): PreviewFetcher =>
    new PreviewFetcher(new HostAllowList(`127.0.0.1:${port}`), { timeoutMs: 1500, maxBytes: 64 * 1024, ...limits });
  const reason = async (p: Promise<unknown>): Promise<string> => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PreviewRefused);
    return (err as PreviewRefused).reason;
  };

  it('fetches an allow-listed local page, following a same-host redirect', async () => {
    const direct = await fetcher().fetch(`http://127.0.0.1:${port}/page`);
    expect(direct.html).toBe(page);
    const redirected = await fetcher().fetch(`http://127.0.0.1:${port}/redirect-local`);
    expect(redirected.url.pathname).toBe('/page');
    expect(redirected.html).toBe(page);
  });

  it('refuses loopback not on the allow-list, and the metadata address, before connecting', async () => {
    expect(await reason(fetcher().fetch(`http://127.0.0.1:${otherPort}/direct`))).toMatch(/non-public address \(127\.0\.0\.1\)/);
    expect(await reason(fetcher().fetch('http://169.254.169.254/latest/meta-data/'))).toMatch(/non-public/);
    expect(await reason(fetcher().fetch(`http://[::ffff:127.0.0.1]:${otherPort}/mapped`))).toMatch(/non-public/);
    expect(otherHits).toEqual([]);
  });

  it('re-checks every redirect hop: a redirect to a private address is refused and never requested', async () => {
    expect(await reason(fetcher().fetch(`http://127.0.0.1:${port}/redirect-private`))).toMatch(/non-public address \(127\.0\.0\.1\)/);
    expect(await reason(fetcher().fetch(`http://127.0.0.1:${port}/redirect-metadata`))).toMatch(/169\.254\.169\.254/);
    expect(otherHits).toEqual([]);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    expect(await reason(fetcher().fetch(`http://127.0.0.1:${port}/loop`))).toMatch(/redirects/);
  });

  it('connects to the address it checked: a resolver answering differently later is never asked again (DNS rebinding)', async () => {
    const answers = ['127.0.0.1', '10.0.0.1'];
    const lookups: string[] = [];
    const rebinding = new PreviewFetcher(new HostAllowList(`rebind.test:${port}`), { timeoutMs: 1500, maxBytes: 64 * 1024 }, async (host) => {
      lookups.push(host);
      return [{ address: answers.shift() ?? '10.0.0.1', family: 4 }];
    });
    const res = await rebinding.fetch(`http://rebind.test:${port}/page`);
    expect(res.html).toBe(page);
    expect(lookups).toEqual(['rebind.test']);
  });

  it('a host resolving to any private address is refused when not allow-listed', async () => {
    const mixed = new PreviewFetcher(new HostAllowList(''), { timeoutMs: 1500, maxBytes: 1024 }, async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ]);
    expect(await reason(mixed.fetch('http://mixed.test/'))).toMatch(/10\.1\.2\.3/);
  });

  it('times out a slow server', async () => {
    const started = Date.now();
    expect(await reason(fetcher({ timeoutMs: 300 }).fetch(`http://127.0.0.1:${port}/slow`))).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts an oversize body at the byte limit', async () => {
    const res = await fetcher({ maxBytes: 4096 }).fetch(`http://127.0.0.1:${port}/huge`);
    expect(res.truncated).toBe(true);
    expect(Buffer.byteLength(res.html)).toBe(4096);
    expect(res.html.startsWith('<title>Huge</title>')).toBe(true);
  });

  it('reads HTML only, and only http(s) URLs', async () => {
    expect(await reason(fetcher().fetch(`http://127.0.0.1:${port}/json`))).toMatch(/not HTML/);
    expect(await reason(fetcher().fetch('file:///etc/passwd'))).toMatch(/scheme/);
  });
});
