import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FAULT_NAMES, FaultReport } from './src/fault-names';

/**
 * The short form of the fault-injection suite (`npm run faults -- --short`): the whole system on its own
 * three-node RabbitMQ cluster, FerretDB and Redis, each part killed and restarted under load. One test per fault row.
 */
const root = path.resolve(__dirname, '..');
// About 6 minutes on a quiet machine; the margin is for a busy one. Stopped at the limit, the suite still writes the
// rows it ran and names the rest (faults/src/main.ts).
const RUN_TIMEOUT_MS = 15 * 60_000;
let report: FaultReport | undefined;
let exitCode: number | null = null;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'tools/build/build.mjs')], { stdio: 'ignore' });
  rmSync(path.join(root, 'reports/faults-rows.json'), { force: true });
  mkdirSync(path.join(root, 'reports'), { recursive: true }); // a fresh checkout has none yet
  const log = createWriteStream(path.join(root, 'reports/faults-run.log'));
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist/faults/src/main.js'), '--short'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const timer = setTimeout(() => child.kill('SIGINT'), RUN_TIMEOUT_MS);
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  report = JSON.parse(readFileSync(path.join(root, 'reports/faults-rows.json'), 'utf8')) as FaultReport;
}, RUN_TIMEOUT_MS + 60_000);

describe('fault injection (short form; table in reports/faults.md, run log in reports/faults-run.log)', () => {
  it('ran every fault, in order, and exited cleanly', () => {
    expect(report?.rows.map((r) => r.fault)).toEqual(FAULT_NAMES);
    expect(exitCode).toBe(0);
  });

  it('the report names the topology it ran on first: a RabbitMQ cluster of three nodes, two gateways', () => {
    const first = readFileSync(path.join(root, 'reports/faults.md'), 'utf8').split('\n')[0];
    expect(first).toMatch(/^topology: rabbitmq-nodes=3 replicas=[1-9]\d* gateways=2 redis=\S+$/);
    expect(report?.topology).toBe(first);
  });

  it.each(FAULT_NAMES)('%s: every acknowledged message stored and shown once, in order; counts, digests and queues right', (fault) => {
    const row = report?.rows.find((r) => r.fault === fault);
    expect(row).toMatchObject({ fault, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] });
    expect(row?.acknowledged).toBeGreaterThan(0);
    expect(row?.delivered).toBe(row?.acknowledged);
  });
});
