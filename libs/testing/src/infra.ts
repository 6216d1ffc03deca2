import { randomUUID } from 'node:crypto';

/** Where the real infrastructure is, as set by the test command (tools/scripts/test-all.sh). */
export const testInfra = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@localhost:5672',
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27027',
};

/** A name no other test (or earlier run) uses: for databases, queues, organisations. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
