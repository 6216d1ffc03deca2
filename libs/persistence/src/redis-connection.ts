import type { ConnectionOptions } from 'bullmq';
import Redis, { RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_SENTINEL_NAME, parseRedisSentinels, RedisSettings } from '@wellifiy/config';

/**
 * Where a process's Redis is: a redis:// URL (one Redis), or a service config's Redis variables — REDIS_URL, or
 * REDIS_SENTINELS with REDIS_SENTINEL_NAME (and passwords) for a primary that Sentinels fail over.
 */
export type RedisTarget = string | Pick<RedisSettings, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_PASSWORD'> & { REDIS_SENTINEL_NAME?: string };

function urlOptions(redisUrl: string): RedisOptions {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * ioredis options of the one Redis connection factory. With Sentinels, ioredis asks them for the primary on every
 * (re)connect and checks that the node it reaches is a master; a connection that finds itself on a demoted primary
 * (READONLY) reconnects to the new one and resends the command.
 *
 * ioredis's `failoverDetector` (subscribing to the Sentinels' `+switch-master`) stays off: when the announcement
 * arrives while a client is asking the Sentinels where the primary is — which is where a client whose primary was
 * killed spends its reconnects — ioredis 5 takes it as a disconnect of that attempt and ends the client for good
 * (status `end`, "Connection is closed.", no further reconnect). A killed or demoted primary closes its connections,
 * which is all the reconnect needs. `redis-sentinel.int-spec.ts` (slow Sentinels) fails with it on.
 */
export function redisOptions(target: RedisTarget): RedisOptions {
  if (typeof target === 'string') return urlOptions(target);
  if (target.REDIS_SENTINELS === undefined) {
    if (target.REDIS_URL === undefined) throw new Error('neither REDIS_URL nor REDIS_SENTINELS is set');
    return urlOptions(target.REDIS_URL);
  }
  return {
    sentinels: parseRedisSentinels(target.REDIS_SENTINELS),
    name: target.REDIS_SENTINEL_NAME ?? DEFAULT_REDIS_SENTINEL_NAME,
    ...(target.REDIS_SENTINEL_PASSWORD !== undefined ? { sentinelPassword: target.REDIS_SENTINEL_PASSWORD } : {}),
    ...(target.REDIS_PASSWORD !== undefined ? { password: target.REDIS_PASSWORD } : {}),
    failoverDetector: false,
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}

/** BullMQ connection options (workers block on Redis, so commands must not give up after N retries). */
export function bullConnection(target: RedisTarget): ConnectionOptions {
  return { ...redisOptions(target), maxRetriesPerRequest: null };
}

/** An ioredis client for `target`; `overrides` set the retry and queueing behaviour of its user. */
export function createRedis(target: RedisTarget, overrides: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptions(target), ...overrides });
}
