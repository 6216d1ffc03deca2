import path from 'node:path';
import type * as Testing from '@wellifiy/testing';

export default async function globalTeardown(): Promise<void> {
  const testing = require(path.resolve(__dirname, '../../dist/libs/testing/src/index.js')) as typeof Testing;
  const system = globalThis.__WELLIFIY_E2E__;
  await Promise.all((system?.apps ?? []).map((a) => testing.stopApp(a)));
  if (system?.vhost) testing.deleteVhost(system.vhost);
}
