import 'reflect-metadata';
import { amqpUrlsOf, MongoConfig } from './common.config';
import { loadConfig } from './load-config';
import { configErrorOf, VALID_ENV } from './load-config.fakes';

describe('AMQP_URLS (one URL per node of a RabbitMQ cluster)', () => {
  const { AMQP_URL: _single, ...withoutUrl } = VALID_ENV;
  const nodes = 'amqp://svc:pw@rabbit-0:5672, amqp://svc:pw@rabbit-1:5672,amqp://svc:pw@rabbit-2:5672';

  it('replaces AMQP_URL: every node, in order, spaces trimmed; AMQP_URL alone still gives its one URL', () => {
    const cfg = loadConfig(MongoConfig, { ...withoutUrl, AMQP_URLS: nodes });
    expect(amqpUrlsOf(cfg)).toEqual(['amqp://svc:pw@rabbit-0:5672', 'amqp://svc:pw@rabbit-1:5672', 'amqp://svc:pw@rabbit-2:5672']);
    expect(cfg.AMQP_URL).toBeUndefined();
    expect(amqpUrlsOf(loadConfig(MongoConfig, { ...VALID_ENV }))).toEqual([VALID_ENV.AMQP_URL]);
  });

  it('is refused together with AMQP_URL (which one would win is not obvious)', () => {
    expect(configErrorOf(() => loadConfig(MongoConfig, { ...VALID_ENV, AMQP_URLS: nodes })).problems).toEqual(['AMQP_URL: set AMQP_URL or AMQP_URLS, not both']);
  });

  it.each([
    ['an entry that is not an amqp URL, named by position and not echoed', 'amqp://svc:pw@rabbit-0:5672,http://svc:secretpw@rabbit-1', 'AMQP_URLS: AMQP_URLS entry 2 is not an amqp:// or amqps:// URL'],
    ['nodes with different users', 'amqp://svc:pw@rabbit-0:5672,amqp://other:pw@rabbit-1:5672', "AMQP_URLS: AMQP_URLS must log in as the same user on every node (this process's own)"],
    ['nothing but commas', ',,', 'AMQP_URLS: AMQP_URLS must list at least one amqp:// or amqps:// URL'],
  ])('refuses %s', (_what, value, problem) => {
    const problems = configErrorOf(() => loadConfig(MongoConfig, { ...withoutUrl, AMQP_URLS: value })).problems;
    expect(problems).toEqual([problem]);
    expect(problems.join()).not.toContain('secretpw');
  });

  it('production refuses a short or committed password on any node, naming the variable only', () => {
    const good = 'a-fresh-password-of-length';
    const env = { ...withoutUrl, NODE_ENV: 'production', AMQP_USERS: 'gateway:g,channels:svc,messages:m,notifications:n,activation-rules:a' };
    expect(amqpUrlsOf(loadConfig(MongoConfig, { ...env, AMQP_URLS: `amqp://svc:${good}@r0:5672,amqp://svc:${good}@r1:5672` }))).toHaveLength(2);
    const problems = configErrorOf(() => loadConfig(MongoConfig, { ...env, AMQP_URLS: `amqp://svc:${good}@r0:5672,amqp://svc:short@r1:5672` })).problems;
    expect(problems).toEqual(['AMQP_URLS: AMQP_URLS holds a password shorter than 16 characters (NODE_ENV=production)']);
  });
});
