import { Global, Module } from '@nestjs/common';
import { REDIS, RedisLifecycle, redisProvider } from './redis.provider';

@Global()
@Module({ providers: [redisProvider, RedisLifecycle], exports: [REDIS] })
export class RedisModule {}
