import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppName, BrokerUsers, startApp, TEST_JWT_SECRET, testInfra, waitReady } from '@wellifiy/testing';
import { E2E_BASE_PORT, e2eAmqpUrl } from './system';

const root = path.resolve(__dirname, '../..');
/** Processes started by specs in place of a system app they stopped; global-teardown stops them. */
export const REPLACEMENT_PIDS_FILE = path.join(root, 'reports/e2e-logs/replacement-pids.json');

function replacementPids(): Record<string, number> {
  return existsSync(REPLACEMENT_PIDS_FILE) ? (JSON.parse(readFileSync(REPLACEMENT_PIDS_FILE, 'utf8')) as Record<string, number>) : {};
}

function pidOf(app: AppName): number {
  const pid = replacementPids()[app] ?? (JSON.parse(process.env.E2E_APP_PIDS ?? '{}') as Record<string, number>)[app];
  if (!pid) throw new Error(`no pid known for ${app} (E2E_APP_PIDS is set by e2e/support/global-setup.ts)`);
  return pid;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops one app of the running e2e system (SIGTERM, its graceful shutdown) and waits until its process is gone. */
export async function stopSystemApp(app: AppName, graceMs = 10_000): Promise<void> {
  const pid = pidOf(app);
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Starts `app` again, as global-setup started it (same ports, broker users, databases), and waits for its
 * readiness. Only for an app global-setup starts without extra environment (activation-rules).
 */
export async function startSystemApp(app: AppName): Promise<void> {
  const logs = path.join(root, 'reports/e2e-logs');
  const started = startApp(
    {
      root,
      basePort: E2E_BASE_PORT,
      amqpUrl: e2eAmqpUrl(),
      brokerUsers: process.env.E2E_BROKER_USERS ? (JSON.parse(process.env.E2E_BROKER_USERS) as BrokerUsers) : null,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix: process.env.E2E_DB_PREFIX ?? 'e2e',
      nodeEnv: 'test',
      logLevel: 'warn',
      logs,
    },
    app,
  );
  mkdirSync(logs, { recursive: true });
  writeFileSync(REPLACEMENT_PIDS_FILE, JSON.stringify({ ...replacementPids(), [app]: started.process.pid }));
  await waitReady(started, 30_000);
}
