import path from 'node:path';
import { type BrokerUsers, type RunningApp, startApp, stopApp, TEST_JWT_SECRET, testInfra, waitReady } from '@wellifiy/testing';
import { BASE_PORT } from './system';

export interface DevGateway {
  url: string;
  stop(): Promise<void>;
}

/**
 * A gateway replica with NODE_ENV=development beside the system's own (same broker, Redis and databases): it has the
 * development sign-in and serves the built console at /console/, as `npm run start:all` does.
 */
export async function startDevGateway(): Promise<DevGateway> {
  const port = BASE_PORT + 70;
  const root = path.resolve(__dirname, '../..');
  const started = startApp(
    {
      root,
      basePort: BASE_PORT,
      amqpUrl: process.env.E2E_AMQP_URL ?? testInfra.amqpUrl,
      brokerUsers: process.env.E2E_BROKER_USERS ? (JSON.parse(process.env.E2E_BROKER_USERS) as BrokerUsers) : null,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix: process.env.E2E_DB_PREFIX ?? 'e2e',
      nodeEnv: 'test',
      logLevel: 'warn',
      logs: path.join(root, `reports/e2e-logs/gateway-${port}`),
      extraEnv: { gateway: { RATE_LIMIT_PER_MINUTE: '100000', NODE_ENV: 'development', DEV_SIGN_IN: 'true', CONSOLE_DIR: path.join(root, 'dist/apps/console'), HTTP_PORT: String(port) } },
    },
    'gateway',
  );
  const app: RunningApp = { ...started, port };
  try {
    await waitReady(app, 30_000);
  } catch (err) {
    await stopApp(app);
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => stopApp(app) };
}
