import { bullConnection, redisOptions } from './redis-connection';

describe('redis connection factory', () => {
  it('turns a redis:// URL into host, port, credentials, db and TLS', () => {
    expect(redisOptions('rediss://user:p%40ss@redis.example:6380/2')).toEqual({ host: 'redis.example', port: 6380, username: 'user', password: 'p@ss', db: 2, tls: {} });
    expect(redisOptions({ REDIS_URL: 'redis://localhost', REDIS_SENTINEL_NAME: 'mymaster' })).toEqual({ host: 'localhost', port: 6379 });
  });

  it('with REDIS_SENTINELS asks the Sentinels for the named primary and follows failovers', () => {
    const options = redisOptions({ REDIS_SENTINELS: 's0:26379,s1:26380', REDIS_SENTINEL_NAME: 'wellifiy', REDIS_SENTINEL_PASSWORD: 'sp', REDIS_PASSWORD: 'dp' });
    expect(options).toMatchObject({
      sentinels: [{ host: 's0', port: 26379 }, { host: 's1', port: 26380 }],
      name: 'wellifiy',
      sentinelPassword: 'sp',
      password: 'dp',
      // Off: ioredis 5 ends a client whose reconnect is under way when `+switch-master` arrives (see redisOptions).
      failoverDetector: false,
    });
    expect(options.host).toBeUndefined();
    // A connection left on a demoted primary reconnects (and resends) instead of failing writes.
    expect(options.reconnectOnError?.(new Error('READONLY You can\'t write against a read only replica.'))).toBe(2);
    expect(options.reconnectOnError?.(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });

  it('gives BullMQ connections that never give up a command (workers block on Redis)', () => {
    expect(bullConnection('redis://localhost:6379')).toMatchObject({ host: 'localhost', maxRetriesPerRequest: null });
    expect(bullConnection({ REDIS_SENTINELS: 's0:26379' })).toMatchObject({ name: 'mymaster', maxRetriesPerRequest: null });
  });

  it('refuses settings with neither a URL nor Sentinels', () => {
    expect(() => redisOptions({})).toThrow('neither REDIS_URL nor REDIS_SENTINELS is set');
  });
});
