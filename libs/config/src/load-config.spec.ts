import 'reflect-metadata';
import { IsBoolean, IsOptional } from 'class-validator';
import { CommonConfig, MongoConfig } from './common.config';
import { ConfigError, loadConfig } from './load-config';
import { configErrorOf, VALID_ENV } from './load-config.fakes';

describe('loadConfig', () => {
  it('reads a valid environment into a typed object with defaults applied', () => {
    const cfg = loadConfig(MongoConfig, { ...VALID_ENV });

    expect({ ...cfg }).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'log',
      AMQP_URL: 'amqp://guest:guest@localhost:5672',
      AMQP_USERS: 'gateway:wellifiy-gateway,channels:wellifiy-channels,messages:wellifiy-messages,notifications:wellifiy-notifications,activation-rules:wellifiy-activation-rules',
      HTTP_PORT: 3000,
      AMQP_PREFETCH: 32,
      EVENT_MAX_ATTEMPTS: 5,
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      MONGO_DB: 'wellifiy-test',
    });
    expect(cfg).toBeInstanceOf(MongoConfig);
  });

  it('converts numeric strings to numbers', () => {
    const cfg = loadConfig(CommonConfig, { ...VALID_ENV, HTTP_PORT: '8080', AMQP_PREFETCH: '64', EVENT_MAX_ATTEMPTS: '3' });

    expect(cfg.HTTP_PORT).toBe(8080);
    expect(cfg.AMQP_PREFETCH).toBe(64);
    expect(cfg.EVENT_MAX_ATTEMPTS).toBe(3);
  });

  it('a given value overrides the default', () => {
    expect(loadConfig(CommonConfig, { ...VALID_ENV, LOG_LEVEL: 'debug', NODE_ENV: 'test' })).toMatchObject({ LOG_LEVEL: 'debug', NODE_ENV: 'test' });
  });

  it('drops environment variables the schema does not declare', () => {
    const cfg = loadConfig(CommonConfig, { ...VALID_ENV, PATH: '/usr/bin', SECRET_OF_SOMEONE_ELSE: 'x', MONGO_DB: 'not-in-common' });

    expect(Object.keys(cfg).sort()).toEqual(['AMQP_PREFETCH', 'AMQP_URL', 'AMQP_USERS', 'EVENT_MAX_ATTEMPTS', 'HTTP_PORT', 'LOG_LEVEL', 'NODE_ENV']);
  });

  it('a missing required variable fails with a ConfigError naming it', () => {
    const { AMQP_URL: _omit, ...env } = VALID_ENV;

    const err = configErrorOf(() => loadConfig(MongoConfig, env));

    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^AMQP_URL: /);
    expect(err.message).toContain('AMQP_URL');
  });

  it('an empty variable counts as missing', () => {
    const err = configErrorOf(() => loadConfig(MongoConfig, { ...VALID_ENV, MONGO_DB: '' }));

    expect(err.problems.map((p) => p.split(':')[0])).toEqual(['MONGO_DB']);
  });

  it('every missing variable is named at once', () => {
    const err = configErrorOf(() => loadConfig(MongoConfig, {}));

    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['AMQP_URL', 'HTTP_PORT', 'MONGO_DB', 'MONGO_URL']);
  });

  it.each([
    ['HTTP_PORT', 'abc'],
    ['HTTP_PORT', '70000'],
    ['AMQP_PREFETCH', '0'],
    ['AMQP_URL', 'http://localhost:5672'],
    ['MONGO_URL', 'postgres://localhost'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'trace'],
    ['FAULT_HOOKS', 'crash-sometimes'],
    ['AMQP_USERS', 'gateway:wellifiy-gateway'],
    ['AMQP_USERS', 'gateway:a,channels:b,messages:c,notifications:d,activation-rules:e,gateway:f'],
    ['AMQP_USERS', 'gateway:a,channels:b,messages:c,notifications:d,activation-rules:e,patients:f'],
  ])('a bad value of %s (%s) fails with a ConfigError naming it', (name, value) => {
    const err = configErrorOf(() => loadConfig(MongoConfig, { ...VALID_ENV, [name]: value }));

    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].startsWith(`${name}: `)).toBe(true);
  });

  it('Development secrets reach deployments silently: FAULT_HOOKS (test-only crash points) loads only when NODE_ENV=test', () => {
    expect(loadConfig(MongoConfig, { ...VALID_ENV, NODE_ENV: 'test', FAULT_HOOKS: 'crash-after-write' }).FAULT_HOOKS).toBe('crash-after-write');
    expect(loadConfig(MongoConfig, { ...VALID_ENV, NODE_ENV: 'test' }).FAULT_HOOKS).toBeUndefined();
    // An allow-list: a deployment that left NODE_ENV at its default (development) is refused too, not only production.
    for (const NODE_ENV of ['development', 'production', undefined]) {
      const env = { ...VALID_ENV, AMQP_URL: 'amqp://svc:a-fresh-password-of-length@rabbit:5672', FAULT_HOOKS: 'crash-in-handler', ...(NODE_ENV ? { NODE_ENV } : {}) };
      expect(configErrorOf(() => loadConfig(MongoConfig, env)).problems).toEqual(['FAULT_HOOKS: FAULT_HOOKS is a test-only setting, accepted only when NODE_ENV=test']);
    }
  });

  it('Services trust any actor in an RPC: production refuses AMQP_USERS where two processes share a broker user', () => {
    const shared = 'gateway:guest,channels:guest,messages:guest,notifications:guest,activation-rules:guest';
    expect(loadConfig(MongoConfig, { ...VALID_ENV, AMQP_USERS: shared }).AMQP_USERS).toBe(shared); // local systems without rabbitmqctl
    const env = { ...VALID_ENV, NODE_ENV: 'production', AMQP_URL: 'amqp://wellifiy-channels:a-fresh-password-of-length@rabbit:5672', AMQP_USERS: shared };
    expect(configErrorOf(() => loadConfig(MongoConfig, env)).problems).toEqual(['AMQP_USERS: AMQP_USERS must name a different user for every process when NODE_ENV=production']);
  });

  it('a boolean setting given as "false" loads as false (latent bug: implicit conversion makes it true)', () => {
    class WithFlag extends CommonConfig {
      @IsOptional() @IsBoolean()
      FEATURE_ON?: boolean;
    }
    // Implicit conversion turns any non-empty string into true: "false" must not enable a feature.
    expect(loadConfig(WithFlag, { ...VALID_ENV, FEATURE_ON: 'true' }).FEATURE_ON).toBe(true);
    expect(loadConfig(WithFlag, { ...VALID_ENV, FEATURE_ON: 'false' }).FEATURE_ON).toBe(false);
  });

  it('a boolean setting given as another word ("no", "1") is refused naming it, not read as true', () => {
    class WithFlag extends CommonConfig {
      @IsOptional() @IsBoolean({ message: 'FEATURE_ON must be true or false' })
      FEATURE_ON?: boolean;
    }
    expect(configErrorOf(() => loadConfig(WithFlag, { ...VALID_ENV, FEATURE_ON: 'no' })).problems).toEqual(['FEATURE_ON: FEATURE_ON must be true or false']);
    expect(configErrorOf(() => loadConfig(WithFlag, { ...VALID_ENV, FEATURE_ON: '1' })).problems).toEqual(['FEATURE_ON: FEATURE_ON must be true or false']);
  });
});
