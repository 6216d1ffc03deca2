import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { Actor } from '@wellifiy/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { REDIS } from '../redis/redis.provider';
import { setRetryAfter } from '../http/http-error.filter';

const WINDOW_SECONDS = 60;

/**
 * Per-user fixed-window limit shared by every gateway instance (the counter lives in Redis).
 * If Redis is unreachable the request is let through: an outage of the limiter must not become
 * an outage of messaging (readiness reports Redis as down meanwhile).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger('RateLimit');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: GatewayConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { user?: Actor }>();
    const actor = req.user;
    if (!actor) return true; // public endpoint
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
    const key = `rl:${actor.orgId}:${actor.userId}:${window}`;
    let count: number;
    try {
      const [[, n]] = (await this.redis.multi().incr(key).expire(key, WINDOW_SECONDS * 2).exec()) as [[null, number]];
      count = n;
    } catch (err) {
      this.logger.warn(`rate limiter unavailable: ${(err as Error).message}`);
      return true;
    }
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    const res = ctx.switchToHttp().getResponse<Response>();
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - count)));
    if (count > limit) {
      const now = Date.now();
      setRetryAfter(res, WINDOW_SECONDS * 1000 - (now % (WINDOW_SECONDS * 1000)));
      throw new HttpException(`rate limit of ${limit} requests per minute exceeded`, 429);
    }
    return true;
  }
}
