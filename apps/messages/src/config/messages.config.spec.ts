import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@wellifiy/config';
import { KeyRing } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS } from '@wellifiy/testing';
import { MessagesConfig } from './messages.config';

const VALID = {
  AMQP_URL: 'amqp://guest:guest@localhost:5672',
  HTTP_PORT: '3002',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  MONGO_DB: 'wellifiy-messages',
  REDIS_URL: 'redis://localhost:6379',
  ENCRYPTION_KEYS: LOCAL_ENCRYPTION_KEYS,
  ENCRYPTION_ACTIVE_KEY_ID: LOCAL_ENCRYPTION_ACTIVE_KEY_ID,
};

/** Production refuses the committed development secrets: fresh ones. */
const PRODUCTION = {
  ...VALID,
  NODE_ENV: 'production',
  AMQP_URL: `amqp://wellifiy-messages:${randomBytes(24).toString('hex')}@rabbitmq:5672`,
  ENCRYPTION_KEYS: `k1:${KeyRing.generateKey()}`,
  ENCRYPTION_ACTIVE_KEY_ID: 'k1',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(MessagesConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('MessagesConfig: retention', () => {
  it('a retention day is a real day by default, with an hourly sweep in batches of 200', () => {
    expect(loadConfig(MessagesConfig, PRODUCTION)).toMatchObject({
      RETENTION_DAY_MS: 86_400_000, RETENTION_SWEEP_MS: 3_600_000, RETENTION_BATCH_SIZE: 200, RETENTION_MAX_BATCHES: 50,
    });
  });

  it('a shortened RETENTION_DAY_MS is accepted in test and development only', () => {
    expect(loadConfig(MessagesConfig, { ...VALID, NODE_ENV: 'test', RETENTION_DAY_MS: '1000' }).RETENTION_DAY_MS).toBe(1000);
    expect(loadConfig(MessagesConfig, { ...VALID, NODE_ENV: 'development', RETENTION_DAY_MS: '1000' }).RETENTION_DAY_MS).toBe(1000);
    expect(problemsOf({ ...PRODUCTION, RETENTION_DAY_MS: '1000' })).toEqual([
      'RETENTION_DAY_MS: RETENTION_DAY_MS other than 86400000 is accepted only when NODE_ENV is test or development',
    ]);
  });

  it('bounds the batch size (bad values name the variable)', () => {
    expect(problemsOf({ ...VALID, RETENTION_BATCH_SIZE: '0' })).toEqual([expect.stringMatching(/^RETENTION_BATCH_SIZE: /)]);
    expect(problemsOf({ ...VALID, RETENTION_BATCH_SIZE: '5000' })).toEqual([expect.stringMatching(/^RETENTION_BATCH_SIZE: /)]);
  });
});
