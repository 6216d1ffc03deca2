import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { e2eAmqpUrl, e2eJwtSecret, gatewayUrl } from './support/system';

/** The benchmark's own smoke test: `--quick` against the test system, and every figure is in the report. */
describe('benchmark --quick', () => {
  it('prints and writes a report with every figure of DESIGN §7 beside its bar', async () => {
    const root = path.resolve(__dirname, '..');
    const out = 'reports/benchmark-smoke.md';
    // Asynchronously: a blocked event loop would leave this process's idle keep-alive connections to the gateway
    // looking alive after the server closed them, and the next test's first request would fail.
    const run = await runNode(
      [path.join(root, 'dist/bench/src/main.js'), '--quick', '--sockets', '40', '--gateway', gatewayUrl, '--amqp', e2eAmqpUrl(), '--jwt-secret', e2eJwtSecret, '--out', out],
      root,
      170_000,
    );
    expect(run.stderr).not.toMatch(/\[bench\] failed/);
    expect(run.status).toBe(0);
    const report = readFileSync(path.join(root, out), 'utf8');
    for (const figure of [
      'RabbitMQ publish with confirms',
      'database insert (MongoDB wire)',
      'Redis INCR (pipelined)',
      'send→ack p50 / p99',
      'send→delivered (last recipient) p50 / p99',
      'saturation knee',
      'database writes per message',
      'database work per message (all services)',
      'pipeline throughput (highest rate below the knee) / slowest part',
      'unread summary (GET /v1/me/badge) p50 / p99',
      'reconnect catch-up of 100 messages p50 / p99',
      'lateness p50 / p99 / max',
    ]) {
      expect(report).toContain(figure);
    }
    // Every measured cell holds a number (n/a only where a phase had no sample).
    expect(report).toMatch(/\| lateness p50 \/ p99 \/ max \| \d+(\.\d)? ms/);
    // Fan-out: every channel size was measured, and the database writes per message did not grow with it.
    const fanOut = [...report.matchAll(/\| channel of (\d+) members: delivered p99; database writes per message \| (\d+\.\d) ms; (\d+\.\d\d) /g)];
    expect(fanOut.map((m) => Number(m[1]))).toEqual([2, 10, 30]);
    const writes = fanOut.map((m) => Number(m[3]));
    expect(Math.min(...writes)).toBeGreaterThan(0);
    expect(Math.max(...writes) - Math.min(...writes)).toBeLessThanOrEqual(1);
    expect(run.stdout).toContain('# Wellifiy Messaging benchmark (quick)');
  }, 180_000);
});

function runNode(args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
