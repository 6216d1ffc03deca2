import { spawn } from 'node:child_process';
import path from 'node:path';
import { APPS, AppName, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, TEST_JWT_SECRET } from '@wellifiy/testing';

/*
 * The built apps (dist/, as deployed), started the way a deployment that forgot to replace the committed
 * development values would start them: each must refuse to boot with exit code 78 (EX_CONFIG), naming the variable
 * and never printing the value, before it connects to anything.
 */
const ROOT = path.resolve(__dirname, '..');
const GUEST_PASSWORD_URL = 'amqp://guest:guest@127.0.0.1:1';

function baseEnv(app: AppName): Record<string, string> {
  const env: Record<string, string> = { HTTP_PORT: '1', LOG_LEVEL: 'error' };
  if (app === 'gateway') Object.assign(env, { REDIS_URL: 'redis://127.0.0.1:1', MESSAGES_INTERNAL_URL: 'http://127.0.0.1:1' });
  else Object.assign(env, { MONGO_URL: 'mongodb://127.0.0.1:1', MONGO_DB: `wellifiy-${app}` });
  if (app === 'messages') Object.assign(env, { ENCRYPTION_KEYS: LOCAL_ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID: LOCAL_ENCRYPTION_ACTIVE_KEY_ID });
  if (app === 'gateway') Object.assign(env, { JWT_SECRET: TEST_JWT_SECRET });
  return env;
}

function run(app: AppName, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps', app, 'src/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} did not exit within 20 s (it booted?): ${stderr.slice(0, 500)}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('Development secrets reach deployments silently: in production every app refuses committed values (exit 78)', () => {
  it.each(APPS)('%s refuses the committed broker password, naming AMQP_URL and never printing it', async (app) => {
    const { code, stderr } = await run(app, { ...baseEnv(app), NODE_ENV: 'production', AMQP_URL: GUEST_PASSWORD_URL });

    expect(code).toBe(78);
    expect(stderr).toContain('AMQP_URL holds a development password committed to the repository');
    expect(stderr).not.toContain('guest:guest');
  });

  it('the messages service refuses the committed encryption key ring, without printing a key', async () => {
    const env = { ...baseEnv('messages'), NODE_ENV: 'production', AMQP_URL: 'amqp://wellifiy-messages:Zq3v9mX2pL7rT4wK8nB5cJ1h@127.0.0.1:1' };
    const { code, stderr } = await run('messages', env);

    expect(code).toBe(78);
    expect(stderr).toContain('ENCRYPTION_KEYS holds a development key committed to the repository');
    for (const entry of LOCAL_ENCRYPTION_KEYS.split(',')) expect(stderr).not.toContain(entry.split(':')[1]);
  });

  it('the gateway refuses HS256 and the committed JWT secret in production, and starts only with RS256 + JWKS + issuer + audience', async () => {
    const env = { ...baseEnv('gateway'), NODE_ENV: 'production', AMQP_URL: 'amqp://wellifiy-gateway:Zq3v9mX2pL7rT4wK8nB5cJ1h@127.0.0.1:1' };
    const { code, stderr } = await run('gateway', env);

    expect(code).toBe(78);
    expect(stderr).toContain('JWT_ALGORITHM must be RS256 when NODE_ENV=production');
    expect(stderr).toContain('JWT_SECRET holds a development secret committed to the repository');
    expect(stderr).toContain('JWT_ISSUER must be set when NODE_ENV=production');
    expect(stderr).toContain('JWT_AUDIENCE must be set when NODE_ENV=production');
    expect(stderr).not.toContain(TEST_JWT_SECRET);
  });

  it('FAULT_HOOKS stops a service that is not under test (NODE_ENV=development), with exit 78', async () => {
    const env = { ...baseEnv('channels'), NODE_ENV: 'development', AMQP_URL: GUEST_PASSWORD_URL, FAULT_HOOKS: 'crash-after-write', REDIS_URL: 'redis://127.0.0.1:1' };
    const { code, stderr } = await run('channels', env);

    expect(code).toBe(78);
    expect(stderr).toContain('FAULT_HOOKS is a test-only setting, accepted only when NODE_ENV=test');
  });
});
