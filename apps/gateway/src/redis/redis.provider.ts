import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedis } from '@wellifiy/persistence';
import { GatewayConfig } from '../config/gateway.config';

export const REDIS = Symbol('REDIS');

export const redisProvider: Provider = {
  provide: REDIS,
  inject: [GatewayConfig],
  useFactory: (config: GatewayConfig) =>
    createRedis(config, {
      // Fail commands fast while Redis is down instead of queueing them behind a request.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }),
};

@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
