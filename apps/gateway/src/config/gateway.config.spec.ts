import 'reflect-metadata';
import { ConfigError, loadConfig } from '@wellifiy/config';
import { GatewayConfig } from './gateway.config';

const PROD = {
  NODE_ENV: 'production',
  AMQP_URL: 'amqp://wellifiy-gateway:Zq3v9mX2pL7rT4wK8nB5cJ1h@rabbitmq:5672',
  HTTP_PORT: '3000',
  REDIS_URL: 'redis://redis:6379',
  MESSAGES_INTERNAL_URL: 'http://messages:3002',
  JWT_ALGORITHM: 'RS256',
  JWT_JWKS_URL: 'https://idp.wellifiy.example/.well-known/jwks.json',
  JWT_ISSUER: 'https://idp.wellifiy.example/',
  JWT_AUDIENCE: 'wellifiy-messaging',
  // A fresh key (not a committed development one): the ring opens sealed content events.
  ENCRYPTION_KEYS: 'k1:yW5mQk9Tg3pXb2Z4cE1hN0RqS3ZhUXh3ZUY2cjBUdTg=',
  ENCRYPTION_ACTIVE_KEY_ID: 'k1',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(GatewayConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const without = (name: keyof typeof PROD): Record<string, string> => {
  const env: Record<string, string> = { ...PROD };
  delete env[name];
  return env;
};

describe('Development secrets reach deployments silently: the gateway in production takes RS256 tokens from a JWKS, with issuer and audience', () => {
  it('RS256 with a JWKS URL, issuer and audience boots in production', () => {
    expect(problemsOf(PROD)).toEqual([]);
  });

  it('HS256 is refused in production, whatever the secret', () => {
    expect(problemsOf({ ...PROD, JWT_ALGORITHM: 'HS256', JWT_SECRET: 'a-fresh-random-secret-0f3c9d2e7b1a8c4d6e5f' })).toEqual([
      'JWT_ALGORITHM: JWT_ALGORITHM must be RS256 when NODE_ENV=production (tokens of the identity provider, keys from JWT_JWKS_URL)',
    ]);
  });

  it.each([
    ['JWT_JWKS_URL', /^JWT_JWKS_URL: JWT_JWKS_URL must be an http\(s\):\/\/ URL of a JWKS/],
    ['JWT_ISSUER', /^JWT_ISSUER: JWT_ISSUER must be set when NODE_ENV=production/],
    ['JWT_AUDIENCE', /^JWT_AUDIENCE: JWT_AUDIENCE must be set when NODE_ENV=production/],
  ] as const)('production without %s is refused, naming it', (name, message) => {
    expect(problemsOf(without(name))).toEqual([expect.stringMatching(message)]);
  });

  it('outside production HS256 still works without issuer and audience; a committed JWT_SECRET is fine there', () => {
    const dev = { ...without('JWT_ISSUER'), NODE_ENV: 'development', JWT_ALGORITHM: 'HS256', JWT_SECRET: 'dev-only-wellifiy-jwt-secret-change-me-0123456789' };
    delete (dev as Record<string, string>).JWT_AUDIENCE;
    expect(problemsOf(dev)).toEqual([]);
  });

  it('DEV_SIGN_IN=true is refused in production and accepted in development; anything but true/false is refused', () => {
    expect(problemsOf({ ...PROD, DEV_SIGN_IN: 'true' })).toEqual([
      'DEV_SIGN_IN: DEV_SIGN_IN=true is refused when NODE_ENV=production (it mints tokens without a password)',
    ]);
    expect(problemsOf({ ...PROD, DEV_SIGN_IN: 'false' })).toEqual([]);
    expect(problemsOf({ ...without('JWT_ISSUER'), NODE_ENV: 'development', DEV_SIGN_IN: 'true' })).toEqual([]);
    expect(problemsOf({ ...PROD, DEV_SIGN_IN: 'yes' })).toEqual([expect.stringContaining('DEV_SIGN_IN must be true or false')]);
  });

  it('a committed JWT_SECRET is refused in production, without echoing it', () => {
    // (production also refuses HS256; the secret is checked on its own all the same)
    const problems = problemsOf({ ...PROD, JWT_ALGORITHM: 'HS256', JWT_SECRET: 'wellifiy-test-secret-0123456789abcdef0123456789' });

    expect(problems).toContain('JWT_SECRET: JWT_SECRET holds a development secret committed to the repository; generate a fresh one (npm run secrets) (NODE_ENV=production)');
    expect(problems.join('\n')).not.toContain('wellifiy-test-secret');
  });
});
