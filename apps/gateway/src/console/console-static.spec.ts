import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CONSOLE_CSP, mountConsole } from './console-static';

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/app.js"></script></head><body><div id="root"></div></body></html>';

describe('The gateway serves the web console build at /console/', () => {
  let dir: string;
  let app: NestExpressApplication;
  let url: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'console-'));
    const moduleRef = await Test.createTestingModule({}).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    mountConsole(app, path.join(dir, 'console'));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function build(): void {
    mkdirSync(path.join(dir, 'console/assets'), { recursive: true });
    writeFileSync(path.join(dir, 'console/index.html'), INDEX);
    writeFileSync(path.join(dir, 'console/assets/app.js'), 'console.log("console")');
  }

  it('without a build, /console/ is 404 with a message saying to build it', async () => {
    const res = await fetch(`${url}/console/`);
    const body = (await res.json()) as { message: string };

    expect(res.status).toBe(404);
    expect(body.message).toContain('the web console is not built');
    expect(body.message).toContain('build apps/console');
  });

  it('serves index.html and the assets of a build made while the gateway runs, with a CSP that allows no inline script', async () => {
    build();
    const page = await fetch(`${url}/console/`);
    const asset = await fetch(`${url}/console/assets/app.js`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toBe(INDEX);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(await asset.text()).toBe('console.log("console")');
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  });

  it('answers index.html for the single-page app routes under /console/, and 404 for a missing asset', async () => {
    build();
    const route = await fetch(`${url}/console/channels/ch_123`);
    const missing = await fetch(`${url}/console/assets/missing.js`);

    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(missing.status).toBe(404);
  });

  it('redirects /console to /console/ and serves nothing outside the build directory', async () => {
    build();
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    const bare = await fetch(`${url}/console`, { redirect: 'manual' });
    const escaped = await fetch(`${url}/console/..%2fsecret.txt`);

    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    expect(await escaped.text()).not.toContain('outside');
  });
});
