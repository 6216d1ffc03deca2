import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type * as Testing from '@wellifiy/testing';

/** Stops the services, then removes what this run created: its virtual host and its databases. */
export default async function globalTeardown(): Promise<void> {
  const testing = require(path.resolve(__dirname, '../../dist/libs/testing/src/index.js')) as typeof Testing;
  const system = globalThis.__WELLIFIY_E2E__;
  await Promise.all((system?.apps ?? []).map((a) => testing.stopApp(a)));
  await stopReplacements(testing, path.resolve(__dirname, '../../reports/e2e-logs/replacement-pids.json'));
  if (system?.vhost) testing.deleteVhost(system.vhost);
  // Only after every service has stopped: nothing may still be using these databases.
  if (system?.dbPrefix) await testing.dropSystemDatabases(testing.testInfra.mongoUrl, system.dbPrefix);
}

/** Apps a spec stopped and started again (e2e/support/restart-app.ts) are not children of this process: stopped by pid. */
async function stopReplacements(testing: typeof Testing, file: string): Promise<void> {
  if (!existsSync(file)) return;
  await testing.stopPids(Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>));
  rmSync(file, { force: true });
}
