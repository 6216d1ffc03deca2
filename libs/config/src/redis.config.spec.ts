import 'reflect-metadata';
import { CommonConfig, MongoConfig } from './common.config';
import { ConfigError, loadConfig } from './load-config';
import { parseRedisSentinels, WithRedis } from './redis.config';

class ServiceConfig extends WithRedis(MongoConfig) {}
class GatewayLikeConfig extends WithRedis(CommonConfig) {}

const BASE = { AMQP_URL: 'amqp://guest:guest@localhost:5672', HTTP_PORT: '3000', MONGO_URL: 'mongodb://127.0.0.1:27017', MONGO_DB: 'wellifiy-test' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(ServiceConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('Redis configuration (REDIS_URL or REDIS_SENTINELS)', () => {
  it('reads one Redis from REDIS_URL, with the Sentinel name defaulted and no Sentinels', () => {
    const cfg = loadConfig(ServiceConfig, { ...BASE, REDIS_URL: 'redis://localhost:6379' });
    expect(cfg).toMatchObject({ REDIS_URL: 'redis://localhost:6379', REDIS_SENTINEL_NAME: 'mymaster', MONGO_DB: 'wellifiy-test' });
    expect(cfg.REDIS_SENTINELS).toBeUndefined();
    expect(cfg).toBeInstanceOf(MongoConfig);
  });

  it('reads a Sentinel setup: the list, the master name and both passwords', () => {
    const cfg = loadConfig(GatewayLikeConfig, {
      ...BASE,
      REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1:26379,[::1]:26380',
      REDIS_SENTINEL_NAME: 'wellifiy',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
      REDIS_PASSWORD: 'data-pass',
    });
    expect(cfg).toMatchObject({ REDIS_SENTINEL_NAME: 'wellifiy', REDIS_SENTINEL_PASSWORD: 'sentinel-pass', REDIS_PASSWORD: 'data-pass' });
    expect(parseRedisSentinels(cfg.REDIS_SENTINELS as string)).toEqual([
      { host: 'sentinel-0', port: 26379 },
      { host: 'sentinel-1', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
  });

  it('names what is wrong: neither set, both set, a bad URL', () => {
    expect(problemsOf(BASE)).toEqual([expect.stringMatching(/^REDIS_URL: REDIS_URL \(redis:\/\/host:6379\) or REDIS_SENTINELS \(host:26379,…\) must be set$/)]);
    expect(problemsOf({ ...BASE, REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379' })).toEqual([expect.stringContaining('REDIS_URL and REDIS_SENTINELS are both set')]);
    expect(problemsOf({ ...BASE, REDIS_URL: 'http://r:6379' })).toEqual(['REDIS_URL: REDIS_URL must be a redis:// or rediss:// URL']);
  });

  it.each([
    ['s1:26379,', 'has an empty entry'],
    ['s1', 'entry "s1" is not host:port'],
    ['s1:0', 'entry "s1:0" is not host:port'],
    ['s1:70000', 'entry "s1:70000" is not host:port'],
    ['redis://s1:26379', 'entry "redis://s1:26379" is not host:port'],
    ['s1:26379,S1:26379', 'names S1:26379 twice'],
  ])('refuses REDIS_SENTINELS=%s (%s)', (value, message) => {
    expect(problemsOf({ ...BASE, REDIS_SENTINELS: value })).toEqual([expect.stringContaining(`REDIS_SENTINELS ${message}`)]);
  });

  it('refuses a bad master name, and the Sentinel-mode passwords without Sentinels', () => {
    expect(problemsOf({ ...BASE, REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'my master' })).toEqual([expect.stringContaining('REDIS_SENTINEL_NAME may contain')]);
    expect(problemsOf({ ...BASE, REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'x', REDIS_SENTINEL_PASSWORD: 'y' })).toEqual([
      expect.stringContaining('REDIS_SENTINEL_PASSWORD is read only with REDIS_SENTINELS'),
      expect.stringContaining('REDIS_PASSWORD is read only with REDIS_SENTINELS (with REDIS_URL, put the password in the URL)'),
    ]);
  });

  it('refuses short passwords in production, without echoing them', () => {
    const problems = problemsOf({ ...BASE, NODE_ENV: 'production', AMQP_URL: 'amqp://svc:Zq3v9mX2pL7rT4wK8nB5cJ1h@rabbitmq:5672', REDIS_SENTINELS: 's:26379', REDIS_PASSWORD: 'short1', REDIS_SENTINEL_PASSWORD: 'short2' });
    expect(problems).toEqual([expect.stringContaining('REDIS_SENTINEL_PASSWORD'), expect.stringContaining('REDIS_PASSWORD')]);
    expect(problems.join(' ')).not.toMatch(/short1|short2/);
  });
});
