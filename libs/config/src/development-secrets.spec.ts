import 'reflect-metadata';
import { IsOptional, IsString } from 'class-validator';
import { MongoConfig } from './common.config';
import { fingerprint, isDevelopmentSecret, ProductionSecret, SecretRules } from './development-secrets';
import { ConfigError, loadConfig } from './load-config';

const FRESH_PASSWORD = 'Zq3v9mX2pL7rT4wK8nB5cJ1h';
const PROD = {
  NODE_ENV: 'production',
  AMQP_URL: `amqp://wellifiy-channels:${FRESH_PASSWORD}@rabbitmq:5672`,
  HTTP_PORT: '3001',
  MONGO_URL: 'mongodb://mongo:27017',
  MONGO_DB: 'wellifiy-channels',
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

class WithSecret extends MongoConfig {
  @IsOptional() @IsString() @ProductionSecret(SecretRules.plain(32))
  SOME_SECRET?: string;

  @IsOptional() @IsString() @ProductionSecret(SecretRules.keyRing())
  SOME_KEYS?: string;
}

describe('Development secrets reach deployments silently: production refuses committed, placeholder and short secrets', () => {
  it('a production environment with fresh secrets loads', () => {
    expect(problemsOf(() => loadConfig(WithSecret, { ...PROD, SOME_SECRET: 'k'.repeat(8) + FRESH_PASSWORD }))).toEqual([]);
  });

  it.each([
    ['guest', 'amqp://guest:guest@rabbitmq:5672'],
    ['the shared user docker-compose used to create', 'amqp://wellifiy:wellifiy@rabbitmq:5672'],
  ])('an AMQP_URL with a committed password (%s) is refused, naming the variable and not the password', (_label, url) => {
    const problems = problemsOf(() => loadConfig(MongoConfig, { ...PROD, AMQP_URL: url }));

    expect(problems).toEqual([expect.stringMatching(/^AMQP_URL: AMQP_URL holds a development password committed to the repository/)]);
    expect(problems.join('\n')).not.toContain(new URL(url).password + '@');
  });

  it('an AMQP_URL with a short password is refused; one without a password (client certificates) is not checked', () => {
    expect(problemsOf(() => loadConfig(MongoConfig, { ...PROD, AMQP_URL: 'amqp://svc:short@rabbitmq:5672' }))).toEqual([
      'AMQP_URL: AMQP_URL holds a password shorter than 16 characters (NODE_ENV=production)',
    ]);
    expect(problemsOf(() => loadConfig(MongoConfig, { ...PROD, AMQP_URL: 'amqps://rabbitmq:5671' }))).toEqual([]);
  });

  it('a value still holding the k8s example placeholder is refused', () => {
    expect(problemsOf(() => loadConfig(WithSecret, { ...PROD, SOME_SECRET: 'REPLACE_ME_WITH_A_RANDOM_SECRET_OF_AT_LEAST_32_CHARACTERS' }))).toEqual([
      'SOME_SECRET: SOME_SECRET still holds a REPLACE_ME placeholder (NODE_ENV=production)',
    ]);
  });

  it('a key ring with one committed key among fresh ones is refused without echoing any key', () => {
    const fresh = Buffer.alloc(32, 7).toString('base64');
    const committed = 'v51UM0chmJCp+dBzjKcR5ImsTn7xoaBahfDPG6uTmas=';
    const problems = problemsOf(() => loadConfig(WithSecret, { ...PROD, SOME_KEYS: `k1:${fresh},dev1:${committed}` }));

    expect(problems).toEqual([expect.stringMatching(/^SOME_KEYS: SOME_KEYS holds a development key committed to the repository/)]);
    expect(problems.join('\n')).not.toContain(committed);
    expect(problems.join('\n')).not.toContain(fresh);
  });

  it('outside production the committed values still load (local systems and tests use them)', () => {
    expect(problemsOf(() => loadConfig(MongoConfig, { ...PROD, NODE_ENV: 'development', AMQP_URL: 'amqp://guest:guest@localhost:5672' }))).toEqual([]);
    expect(problemsOf(() => loadConfig(MongoConfig, { ...PROD, NODE_ENV: 'test', AMQP_URL: 'amqp://guest:guest@localhost:5672' }))).toEqual([]);
  });

  it('fingerprints are SHA-256 of the value; random values are not development secrets', () => {
    expect(fingerprint('guest')).toBe('84983c60f7daadc1cb8698621f802c0d9f9a3c3c295c810748fb048115c186ec');
    expect(isDevelopmentSecret('guest')).toBe(true);
    expect(isDevelopmentSecret(FRESH_PASSWORD)).toBe(false);
  });
});
