import Redis from 'ioredis';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { GatewayConfig } from '../config/gateway.config';
import { CONNECTION_LEASE_MS, ConnectionLimiter } from './connection-limiter';

/** Item 3 (socket limits): the per-user cap is shared by gateway replicas through the real Redis. */
describe('ConnectionLimiter (real Redis)', () => {
  const org = uniqueName('org-conn');
  const config = { SOCKET_MAX_CONNECTIONS_PER_USER: 3 } as GatewayConfig;
  let redis: Redis;
  let replicaA: ConnectionLimiter;
  let replicaB: ConnectionLimiter;

  beforeAll(async () => {
    redis = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: 1 });
    replicaA = new ConnectionLimiter(redis, config);
    replicaB = new ConnectionLimiter(redis, config);
  });

  afterAll(async () => {
    replicaA.onModuleDestroy();
    replicaB.onModuleDestroy();
    await redis.quit();
  });

  it('item 3: the cap counts sockets on every replica, is per organisation and user, and a released socket frees its slot', async () => {
    expect(await replicaA.acquire(org, 'tm_1', 'a1')).toBe(true);
    expect(await replicaB.acquire(org, 'tm_1', 'b1')).toBe(true);
    expect(await replicaA.acquire(org, 'tm_1', 'a2')).toBe(true);
    expect(await replicaB.acquire(org, 'tm_1', 'b2')).toBe(false);
    expect(await replicaA.acquire(org, 'tm_1', 'a3')).toBe(false);
    expect(await replicaB.acquire(`${org}-other`, 'tm_1', 'b3')).toBe(true);
    expect(await replicaB.acquire(org, 'tm_2', 'b4')).toBe(true);

    await replicaB.release('b1');
    expect(await replicaB.acquire(org, 'tm_1', 'b5')).toBe(true);
  });

  it("item 3: a crashed replica's sockets stop counting once their lease ends", async () => {
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now');
    try {
      for (const id of ['c1', 'c2', 'c3']) expect(await replicaA.acquire(org, 'tm_3', id)).toBe(true);
      expect(await replicaB.acquire(org, 'tm_3', 'c4')).toBe(false);
      // replicaA "crashes": it never releases nor renews; a lease later its slots are free again.
      spy.mockReturnValue(now + CONNECTION_LEASE_MS + 1);
      expect(await replicaB.acquire(org, 'tm_3', 'c4')).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
