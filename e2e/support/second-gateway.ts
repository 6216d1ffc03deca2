import path from 'node:path';
import { BrokerUsers, RunningApp, startApp, stopApp, TEST_JWT_SECRET, testInfra, waitReady } from '@wellifiy/testing';
import { E2E_BASE_PORT, e2eAmqpUrl } from './system';

/** Another gateway replica beside the system's own, on the same broker and Redis (specs that need two). */
export interface SecondGateway {
  url: string;
  stop(): Promise<void>;
}

/** `offset` keeps the replicas of different specs apart; ports base+60… are free in the e2e layout. */
export async function startSecondGateway(offset: number, extraEnv: Record<string, string> = {}): Promise<SecondGateway> {
  const port = E2E_BASE_PORT + 60 + offset;
  const root = path.resolve(__dirname, '../..');
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
      logs: path.join(root, `reports/e2e-logs/gateway-${port}`),
      extraEnv: { gateway: { RATE_LIMIT_PER_MINUTE: '100000', ...extraEnv, HTTP_PORT: String(port) } },
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
