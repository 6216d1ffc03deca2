import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ReadinessCheck } from './health';

/**
 * Readiness of Redis, asked through one of the service's BullMQ queues. The queue must be registered
 * globally (`{ ...BullModule.registerQueue(...), global: true }`) for OpsModule to reach it.
 */
export function redisReadinessVia(queueName: string): { inject: unknown[]; useFactory: (queue: Queue) => ReadinessCheck[] } {
  return {
    inject: [getQueueToken(queueName)],
    useFactory: (queue: Queue) => [
      {
        name: 'redis',
        check: async () => {
          const client = (await queue.client) as unknown as { ping(): Promise<string> };
          await client.ping();
        },
      },
    ],
  };
}
