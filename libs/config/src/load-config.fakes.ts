import { ConfigError } from './load-config';

/* Fixtures for this library's unit tests (not built into dist/). */

/** The smallest environment MongoConfig accepts. */
export const VALID_ENV = {
  AMQP_URL: 'amqp://guest:guest@localhost:5672',
  HTTP_PORT: '3000',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  MONGO_DB: 'wellifiy-test',
};

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
