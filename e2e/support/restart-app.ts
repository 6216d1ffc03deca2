import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppName, launchApp, startedSystemOptions, stopPids } from '@wellifiy/testing';
import { E2E_BASE_PORT } from './system';

const root = path.resolve(__dirname, '../..');
const logs = path.join(root, 'reports/e2e-logs');
/** Processes started by specs in place of a system app they stopped; global-teardown stops them. */
export const REPLACEMENT_PIDS_FILE = path.join(logs, 'replacement-pids.json');

function replacementPids(): Record<string, number> {
  return existsSync(REPLACEMENT_PIDS_FILE) ? (JSON.parse(readFileSync(REPLACEMENT_PIDS_FILE, 'utf8')) as Record<string, number>) : {};
}

function pidOf(app: AppName): number {
  const pid = replacementPids()[app] ?? (JSON.parse(process.env.E2E_APP_PIDS ?? '{}') as Record<string, number>)[app];
  if (!pid) throw new Error(`no pid known for ${app} (E2E_APP_PIDS is set by e2e/support/global-setup.ts)`);
  return pid;
}

/** Stops one app of the running e2e system (SIGTERM, its graceful shutdown) and waits until its process is gone. */
export async function stopSystemApp(app: AppName, graceMs = 10_000): Promise<void> {
  await stopPids([pidOf(app)], graceMs);
}

/**
 * Starts `app` again, as global-setup started it (same ports, broker users, databases), and waits for its
 * readiness. Only for an app global-setup starts without extra environment (activation-rules).
 */
export async function startSystemApp(app: AppName): Promise<void> {
  const started = await launchApp(startedSystemOptions(root, E2E_BASE_PORT, logs), app);
  mkdirSync(logs, { recursive: true });
  writeFileSync(REPLACEMENT_PIDS_FILE, JSON.stringify({ ...replacementPids(), [app]: started.process.pid }));
}
