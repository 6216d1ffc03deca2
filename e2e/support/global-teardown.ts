import path from 'node:path';
import type * as Testing from '@wellifiy/testing';

export default async function globalTeardown(): Promise<void> {
  const testing = require(path.resolve(__dirname, '../../dist/libs/testing/src/index.js')) as typeof Testing;
  await Promise.all((globalThis.__WELLIFIY_E2E__ ?? []).map((a) => testing.stopApp(a)));
}
