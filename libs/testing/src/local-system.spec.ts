import { spawn } from 'node:child_process';
import { processAlive, startedSystemOptions, stopPids, TEST_JWT_SECRET } from './index';

/** A node process that keeps running, once it has started (with `ignoreTerm` it also survives SIGTERM). */
function sleeper(ignoreTerm: boolean): Promise<number> {
  const script = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('up');`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child.pid as number)));
}

describe('stopPids', () => {
  it('stops processes by pid: SIGTERM first, SIGKILL for one that outlasts the grace time', async () => {
    const [polite, stubborn] = await Promise.all([sleeper(false), sleeper(true)]);
    const t0 = Date.now();
    await stopPids([polite, stubborn], 500);
    expect({ polite: processAlive(polite), stubborn: processAlive(stubborn) }).toEqual({ polite: false, stubborn: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });

  it('a pid already gone is no error', async () => {
    const pid = await sleeper(false);
    await stopPids([pid]);
    await expect(stopPids([pid], 100)).resolves.toBeUndefined();
  });
});

describe('startedSystemOptions', () => {
  it('reads the broker, its users and the database prefix the global setup left', () => {
    const users = { amqpUsers: 'u', urls: { gateway: 'amqp://g@h/v' } };
    const opts = startedSystemOptions('/repo', 4700, '/repo/logs', { E2E_AMQP_URL: 'amqp://a@h/v', E2E_BROKER_USERS: JSON.stringify(users), E2E_DB_PREFIX: 'e2e-x' });
    expect(opts).toMatchObject({ root: '/repo', basePort: 4700, amqpUrl: 'amqp://a@h/v', brokerUsers: users, dbPrefix: 'e2e-x', jwtSecret: TEST_JWT_SECRET, nodeEnv: 'test', logs: '/repo/logs' });
    expect(startedSystemOptions('/repo', 4700, '/l', {})).toMatchObject({ brokerUsers: null, dbPrefix: 'e2e' });
  });
});
