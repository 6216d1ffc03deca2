import { ExecutionContext, HttpException } from '@nestjs/common';
import Redis from 'ioredis';
import { Actor } from '@wellifiy/contracts';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { GatewayConfig } from '../config/gateway.config';
import { RateLimitGuard } from './rate-limit.guard';

/** The request/response pair Nest would hand the guard for one HTTP request. */
function httpContext(user: Actor | undefined): { ctx: ExecutionContext; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const req = { user };
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const ctx = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
  return { ctx, headers };
}

describe('RateLimitGuard (real Redis)', () => {
  const LIMIT = 3;
  const org = uniqueName('org-rl');
  let redis: Redis;
  let guard: RateLimitGuard;
  let nowSpy: jest.SpyInstance<number, []>;
  // Pinned 30 s into a minute: the fixed window cannot roll over in the middle of a test.
  const realNow = Date.now();
  const pinnedNow = Math.floor(realNow / 60_000) * 60_000 + 30_000;

  const actor = (userId: string): Actor => ({ userId, orgId: org, kind: 'team_member', perms: [] });

  beforeAll(async () => {
    redis = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: 1 });
    await redis.ping();
    guard = new RateLimitGuard(redis, { RATE_LIMIT_PER_MINUTE: LIMIT } as GatewayConfig);
  });

  beforeEach(() => {
    nowSpy = jest.spyOn(Date, 'now').mockReturnValue(pinnedNow);
  });

  afterEach(() => nowSpy.mockRestore());

  afterAll(async () => {
    const keys = await redis.keys(`rl:${org}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  async function attempt(user: Actor | undefined): Promise<{ result: boolean | HttpException; headers: Record<string, string> }> {
    const { ctx, headers } = httpContext(user);
    try {
      return { result: await guard.canActivate(ctx), headers };
    } catch (err) {
      if (err instanceof HttpException) return { result: err, headers };
      throw err;
    }
  }

  it('lets N requests through, refuses request N+1 with 429 and Retry-After, and leaves other users alone', async () => {
    const alice = actor(uniqueName('tm_alice'));
    for (let i = 1; i <= LIMIT; i++) {
      const { result, headers } = await attempt(alice);
      expect(result).toBe(true);
      expect(headers['X-RateLimit-Limit']).toBe(String(LIMIT));
      expect(headers['X-RateLimit-Remaining']).toBe(String(LIMIT - i));
      expect(headers['Retry-After']).toBeUndefined();
    }

    const over = await attempt(alice);
    expect(over.result).toBeInstanceOf(HttpException);
    expect((over.result as HttpException).getStatus()).toBe(429);
    expect(over.headers['Retry-After']).toBe('30');
    expect(over.headers['X-RateLimit-Remaining']).toBe('0');

    const bob = await attempt(actor(uniqueName('tm_bob')));
    expect(bob.result).toBe(true);
    expect(bob.headers['X-RateLimit-Remaining']).toBe(String(LIMIT - 1));
  });

  it('counts in Redis per organisation and user, with an expiry, so every gateway instance shares it', async () => {
    const carol = actor(uniqueName('tm_carol'));
    await attempt(carol);
    // A second guard (another gateway instance) sees the same counter.
    const other = new RateLimitGuard(redis, { RATE_LIMIT_PER_MINUTE: LIMIT } as GatewayConfig);
    const { ctx, headers } = httpContext(carol);
    await expect(other.canActivate(ctx)).resolves.toBe(true);
    expect(headers['X-RateLimit-Remaining']).toBe(String(LIMIT - 2));

    const key = `rl:${org}:${carol.userId}:${Math.floor(pinnedNow / 60_000)}`;
    expect(await redis.get(key)).toBe('2');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(60);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('starts a fresh count in the next window', async () => {
    const dave = actor(uniqueName('tm_dave'));
    for (let i = 0; i < LIMIT; i++) await attempt(dave);
    expect((await attempt(dave)).result).toBeInstanceOf(HttpException);

    nowSpy.mockReturnValue(pinnedNow + 60_000);
    const next = await attempt(dave);
    expect(next.result).toBe(true);
    expect(next.headers['X-RateLimit-Remaining']).toBe(String(LIMIT - 1));
  });

  it('does not limit unauthenticated (public) requests', async () => {
    for (let i = 0; i <= LIMIT + 1; i++) {
      const { result, headers } = await attempt(undefined);
      expect(result).toBe(true);
      expect(headers).toEqual({});
    }
  });
});
