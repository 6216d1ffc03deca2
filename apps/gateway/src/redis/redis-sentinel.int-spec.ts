import 'reflect-metadata';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ExecutionContext, HttpException } from '@nestjs/common';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { loadConfig } from '@wellifiy/config';
import { Actor } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { expectEventually, RedisSentinelSetup, uniqueName } from '@wellifiy/testing';
import { GatewayConfig } from '../config/gateway.config';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { redisProvider } from './redis.provider';

/** Free ports picked by the OS, so parallel runs do not collide. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * The services' Redis clients against a Sentinel setup of the test's own (primary, replica, three Sentinels): a
 * BullMQ queue and worker and the gateway's rate limiter, built from the config through the one factory, keep
 * working when the primary is killed and the Sentinels promote the replica, without a restart of the clients.
 */
describe('Redis through Sentinels: failover under BullMQ and the rate limiter (real redis-server processes)', () => {
  jest.setTimeout(120_000);
  const LIMIT = 3;
  const prefix = uniqueName('it-sentinel');
  let setup: RedisSentinelSetup;
  let config: GatewayConfig;
  let redis: Redis;
  let guard: RateLimitGuard;
  let queue: Queue;
  let worker: Worker;
  let events: QueueEvents;
  const processed: string[] = [];
  // One fixed window for the whole test: the counter must not roll over into a new minute mid-test.
  const pinnedNow = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

  beforeAll(async () => {
    const [a, b, s1, s2, s3] = await freePorts(5);
    setup = new RedisSentinelSetup({ dir: path.join(os.tmpdir(), uniqueName('wellifiy-sentinel')), nodePorts: [a, b], sentinelPorts: [s1, s2, s3], name: 'it-master' });
    await setup.start();
    config = loadConfig(GatewayConfig, {
      AMQP_URL: 'amqp://guest:guest@localhost:5672',
      HTTP_PORT: '3000',
      REDIS_SENTINELS: setup.sentinels,
      REDIS_SENTINEL_NAME: 'it-master',
      JWT_SECRET: 'x'.repeat(32),
      MESSAGES_INTERNAL_URL: 'http://127.0.0.1:1',
      ENCRYPTION_KEYS: 'k1:yW5mQk9Tg3pXb2Z4cE1hN0RqS3ZhUXh3ZUY2cjBUdTg=',
      ENCRYPTION_ACTIVE_KEY_ID: 'k1',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
    });
    redis = (redisProvider as { useFactory: (c: GatewayConfig) => Redis }).useFactory(config);
    redis.on('error', () => undefined); // refused connections while the primary is down
    guard = new RateLimitGuard(redis, config);
    queue = new Queue('sentinel-probe', { connection: bullConnection(config), prefix });
    events = new QueueEvents('sentinel-probe', { connection: bullConnection(config), prefix });
    worker = new Worker('sentinel-probe', async (job: Job<{ n: string }>) => void processed.push(job.data.n), { connection: bullConnection(config), prefix });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    worker.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
  });

  afterAll(async () => {
    await worker?.close();
    await events?.close();
    await queue?.close();
    redis?.disconnect();
    await setup?.destroy();
  });

  async function attempt(actor: Actor): Promise<{ result: boolean | HttpException; headers: Record<string, string> }> {
    const headers: Record<string, string> = {};
    const ctx = {
      switchToHttp: () => ({ getRequest: () => ({ user: actor }), getResponse: () => ({ setHeader: (n: string, v: string) => (headers[n] = v) }) }),
    } as unknown as ExecutionContext;
    const now = jest.spyOn(Date, 'now').mockReturnValue(pinnedNow);
    try {
      return { result: await guard.canActivate(ctx), headers };
    } catch (err) {
      if (err instanceof HttpException) return { result: err, headers };
      throw err;
    } finally {
      now.mockRestore();
    }
  }

  it('runs jobs and counts requests before and after the primary is killed and the replica promoted', async () => {
    const actor: Actor = { userId: uniqueName('tm_rl'), orgId: uniqueName('org'), kind: 'team_member', perms: [] };
    await (await queue.add('probe', { n: 'before' }, { jobId: 'before' })).waitUntilFinished(events, 10_000);
    for (let i = 1; i <= 2; i++) expect((await attempt(actor)).headers['X-RateLimit-Remaining']).toBe(String(LIMIT - i));
    const oldPrimary = await setup.primaryPort();

    expect(await setup.killPrimary()).toBe(oldPrimary);
    // Added while there is no primary: the queue's client holds the command until it has reconnected.
    const during = queue.add('probe', { n: 'during' }, { jobId: 'during' });
    const newPrimary = await setup.waitFailover(oldPrimary, 60_000);
    expect(newPrimary).not.toBe(oldPrimary);

    await (await during).waitUntilFinished(events, 30_000);
    await (await queue.add('probe', { n: 'after' }, { jobId: 'after' })).waitUntilFinished(events, 30_000);
    expect(processed).toEqual(['before', 'during', 'after']);

    // The limiter fails open while it has no Redis (no headers); once reconnected it counts on: the two requests
    // before the failover were replicated, so this one is the third and the next is refused.
    const counted = await expectEventually(
      async () => {
        const a = await attempt(actor);
        expect(a.headers['X-RateLimit-Limit']).toBe(String(LIMIT));
        return a;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(counted).toEqual({ result: true, headers: expect.objectContaining({ 'X-RateLimit-Remaining': '0' }) });
    const over = await attempt(actor);
    expect(over.result).toBeInstanceOf(HttpException);
    expect((over.result as HttpException).getStatus()).toBe(429);

    // The clients are on the promoted node, not on a stale one.
    const role = (await redis.call('ROLE')) as [string];
    expect(role[0]).toBe('master');
    const keys = await redis.keys(`${prefix}:sentinel-probe:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});

/** A TCP proxy that holds every chunk for `delayMs` each way (in order): a Sentinel that is slow to answer. */
async function slowProxy(target: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()));
    }
    const relay = (from: net.Socket, to: net.Socket) => from.on('data', (b: Buffer) => void setTimeout(() => to.destroyed || to.write(b), delayMs));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The Sentinels announce the new primary (`+switch-master`) while a client is still asking them where the primary
 * is, after its connection to the killed one closed. With ioredis's failoverDetector on, the announcement cut that
 * attempt and the client ended for good ("Connection is closed."): status `end`, every command refused, the
 * process's readiness down until a restart (in this test, half of the twelve clients). Slow Sentinels make the
 * reconnect spend most of its time asking them, so the announcement lands there; every client of the factory must
 * reconnect to the promoted node.
 */
describe('Redis through slow Sentinels: no client ends when the failover is announced mid-reconnect', () => {
  jest.setTimeout(120_000);
  const prefix = uniqueName('it-sentinel-slow');
  let setup: RedisSentinelSetup;
  const proxies: { port: number; close(): Promise<void> }[] = [];
  const clients: { what: string; redis: Redis }[] = [];
  const queues: Queue[] = [];

  beforeAll(async () => {
    const [a, b, s1, s2, s3] = await freePorts(5);
    setup = new RedisSentinelSetup({ dir: path.join(os.tmpdir(), uniqueName('wellifiy-sentinel-slow')), nodePorts: [a, b], sentinelPorts: [s1, s2, s3], name: 'slow-master' });
    await setup.start();
    for (const p of [s1, s2, s3]) proxies.push(await slowProxy(p, 300));
    const config = loadConfig(GatewayConfig, {
      AMQP_URL: 'amqp://guest:guest@localhost:5672',
      HTTP_PORT: '3000',
      REDIS_SENTINELS: proxies.map((p) => `127.0.0.1:${p.port}`).join(','),
      REDIS_SENTINEL_NAME: 'slow-master',
      JWT_SECRET: 'x'.repeat(32),
      MESSAGES_INTERNAL_URL: 'http://127.0.0.1:1',
      ENCRYPTION_KEYS: 'k1:yW5mQk9Tg3pXb2Z4cE1hN0RqS3ZhUXh3ZUY2cjBUdTg=',
      ENCRYPTION_ACTIVE_KEY_ID: 'k1',
    });
    for (let i = 0; i < 6; i++) {
      const gateway = (redisProvider as { useFactory: (c: GatewayConfig) => Redis }).useFactory(config);
      gateway.on('error', () => undefined);
      clients.push({ what: `gateway client ${i}`, redis: gateway });
      // The readiness check pings the client of a service's first BullMQ queue.
      const queue = new Queue(`slow-probe-${i}`, { connection: bullConnection(config), prefix });
      queue.on('error', () => undefined);
      queues.push(queue);
      clients.push({ what: `queue client ${i}`, redis: (await queue.client) as unknown as Redis });
    }
    await Promise.all(clients.map(({ redis }) => expectEventually(async () => expect(await redis.ping()).toBe('PONG'), { timeoutMs: 20_000, intervalMs: 100 })));
  });

  afterAll(async () => {
    for (const q of queues) await q.close().catch(() => undefined);
    for (const { redis } of clients) redis.disconnect();
    for (const p of proxies) await p.close();
    await setup?.destroy();
  });

  it('every client answers from the promoted primary after the primary is killed', async () => {
    const oldPrimary = await setup.primaryPort();
    await setup.killPrimary();
    const newPrimary = await setup.waitFailover(oldPrimary, 60_000);
    expect(newPrimary).not.toBe(oldPrimary);

    const answers = await Promise.all(
      clients.map(async ({ what, redis }) => {
        try {
          await expectEventually(async () => expect(((await redis.call('ROLE')) as [string])[0]).toBe('master'), { timeoutMs: 30_000, intervalMs: 200 });
          return `${what}: master`;
        } catch {
          return `${what}: ${redis.status}`;
        }
      }),
    );
    expect(answers).toEqual(clients.map(({ what }) => `${what}: master`));
  });
});
