import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type * as Testing from '@wellifiy/testing';
import { channelsTestEnv } from './channels-env';
import { messagesTestEnv } from './media-env';
import { notificationsTestEnv } from './notifications-env';

declare global {
  var __WELLIFIY_E2E__: { apps: Testing.RunningApp[]; vhost: string | null; dbPrefix: string } | undefined;
}

/**
 * Builds and starts all five services as real processes against the real infrastructure. Jest runs this
 * outside its module registry (no path aliases), so the testing library is loaded from the fresh build.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'tools/build/build.mjs')], { stdio: 'inherit' });
  const testing = require(path.join(root, 'dist/libs/testing/src/index.js')) as typeof Testing;
  const basePort = Number(process.env.E2E_BASE_PORT ?? 3100);
  const dbPrefix = testing.uniqueName('e2e');
  // Tests that check what is stored (encryption at rest, audit) open the services' databases by this prefix.
  process.env.E2E_DB_PREFIX = dbPrefix;
  const broker = testing.createIsolatedVhost(testing.testInfra.amqpUrl);
  process.env.E2E_AMQP_URL = broker.url;
  // Specs that start another replica (e2e/support/second-gateway.ts) connect it as the same broker users.
  if (broker.users) process.env.E2E_BROKER_USERS = JSON.stringify(broker.users);
  const apps = await testing.startSystem({
    root,
    basePort,
    amqpUrl: broker.url,
    // Each service connects as a broker user of its own, as in docker-compose and k8s (the tests keep the admin URL).
    brokerUsers: broker.users,
    redisUrl: testing.testInfra.redisUrl,
    mongoUrl: testing.testInfra.mongoUrl,
    jwtSecret: testing.TEST_JWT_SECRET,
    dbPrefix,
    nodeEnv: 'test',
    // info: the request, command and event lines (e2e/logs.e2e-spec.ts follows one request through them).
    logLevel: 'log',
    logs: path.join(root, 'reports/e2e-logs'),
    extraEnv: { gateway: { RATE_LIMIT_PER_MINUTE: '100000' }, channels: channelsTestEnv(), notifications: notificationsTestEnv(basePort), messages: messagesTestEnv(basePort) },
  });
  globalThis.__WELLIFIY_E2E__ = { apps, vhost: broker.vhost, dbPrefix };
  // Specs that stop and start an app of the system (e2e/support/restart-app.ts) find its process by these.
  process.env.E2E_APP_PIDS = JSON.stringify(Object.fromEntries(apps.map((a) => [a.name, a.process.pid])));
  rmSync(path.join(root, 'reports/e2e-logs/replacement-pids.json'), { force: true });
}
