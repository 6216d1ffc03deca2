import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FuzzReport } from './src/summary';

/**
 * Issue 11, the fuzz tier (short form of `npm run fuzz`): the whole system as real processes, every route of the
 * gateway's OpenAPI document sent hostile path values, queries, bodies and content types by valid and invalid
 * callers, with a fixed seed. Statuses per route in reports/fuzz.md; failing requests there and in reports/fuzz-run.log.
 */
const root = path.resolve(__dirname, '..');
const RUN_TIMEOUT_MS = 5 * 60_000;
let report: FuzzReport | undefined;
let exitCode: number | null = null;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'tools/build/build.mjs')], { stdio: 'ignore' });
  rmSync(path.join(root, 'reports/fuzz-result.json'), { force: true });
  const log = createWriteStream(path.join(root, 'reports/fuzz-run.log'));
  const basePort = process.env.FUZZ_BASE_PORT ?? '3700';
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist/fuzz/src/main.js'), '--short', '--base-port', basePort], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const timer = setTimeout(() => child.kill('SIGINT'), RUN_TIMEOUT_MS);
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  report = JSON.parse(readFileSync(path.join(root, 'reports/fuzz-result.json'), 'utf8')) as FuzzReport;
}, RUN_TIMEOUT_MS + 60_000);

describe('issue 11: hostile input never gets a 500 (fuzz, short form; statuses per route in reports/fuzz.md)', () => {
  it('sent at least a thousand requests and reached every route of the OpenAPI document', () => {
    expect(report?.totals.requests).toBeGreaterThanOrEqual(1_000);
    expect(report?.routes.length).toBeGreaterThan(20);
    expect(report?.uncovered).toEqual([]);
  });

  it('no answer was ≥ 500 (the failing requests, with how to replay them, are listed)', () => {
    expect(report?.failures).toEqual([]);
    expect(report?.totals.server).toBe(0);
  });

  it('no connection was dropped, and every service still runs', () => {
    expect(report?.totals.dropped).toBe(0);
    expect(report?.gatewayLiveAfter).toBe(200);
    expect(report?.exitedApps).toEqual([]);
  });

  it('the run exited cleanly', () => {
    expect(exitCode).toBe(0);
  });
});
