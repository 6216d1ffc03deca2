import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { AMQP_PROCESSES, Topology } from '@wellifiy/contracts';
import { QueueOptions } from './topology';

/*
 * docker-compose's broker, as far as it can run without Docker: what `npm run secrets` writes (.env and
 * .secrets/rabbitmq-definitions.json), loaded by a RabbitMQ node of this test's own through the same
 * tools/deployment/compose-rabbitmq.conf line the compose file mounts. Never the shared broker.
 */
const ROOT = path.resolve(__dirname, '../../..');
const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`RabbitMQ did not open port ${port} within ${timeoutMs} ms`);
}

describe('Services trust any actor in an RPC: docker-compose\'s RabbitMQ boots with one user per service, from what npm run secrets wrote', () => {
  if (!existsSync(RABBITMQ_SERVER)) throw new Error(`${RABBITMQ_SERVER} is not installed: this suite runs a RabbitMQ node of its own`);
  const dir = mkdtempSync(path.join(tmpdir(), 'wellifiy-compose-broker-'));
  const node = `wellifiy-compose-${process.pid}@localhost`;
  let port = 0;
  let child: ChildProcess | undefined;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    // npm run secrets, in a copy of the two files it reads, so the work tree's own .env is never touched.
    mkdirSync(path.join(dir, 'tools/dev'), { recursive: true });
    mkdirSync(path.join(dir, 'tools/deployment'), { recursive: true });
    copyFileSync(path.join(ROOT, 'tools/dev/secrets.mjs'), path.join(dir, 'tools/dev/secrets.mjs'));
    copyFileSync(path.join(ROOT, 'tools/deployment/rabbitmq-definitions.template.json'), path.join(dir, 'tools/deployment/rabbitmq-definitions.template.json'));
    execFileSync(process.execPath, [path.join(dir, 'tools/dev/secrets.mjs')], { cwd: dir, stdio: 'ignore' });
    env = Object.fromEntries(
      readFileSync(path.join(dir, '.env'), 'utf8').split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

    // The compose file mounts the definitions at /etc/rabbitmq/definitions.json; here they stay where they were written.
    const conf = readFileSync(path.join(ROOT, 'tools/deployment/compose-rabbitmq.conf'), 'utf8').replace('/etc/rabbitmq/definitions.json', path.join(dir, '.secrets/rabbitmq-definitions.json'));
    writeFileSync(path.join(dir, 'rabbitmq.conf'), conf);
    writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
    mkdirSync(path.join(dir, 'home'));
    port = await freePort();
    const distPort = await freePort();
    child = spawn(RABBITMQ_SERVER, [], {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        HOME: path.join(dir, 'home'),
        RABBITMQ_NODENAME: node,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: path.join(dir, 'log'),
        RABBITMQ_PID_FILE: path.join(dir, 'beam.pid'),
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
        RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'none-advanced.config'),
      },
    });
    await waitForPort(port, 90_000);
  }, 120_000);

  afterAll(async () => {
    try {
      process.kill(Number(readFileSync(path.join(dir, 'beam.pid'), 'utf8').trim()), 'SIGKILL');
    } catch {
      // not started, or gone already
    }
    child?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (user: string, password: string): string => `amqp://${user}:${password}@127.0.0.1:${port}`;
  const passwordOf = (user: string): string => env[`RABBITMQ_${user.replace(/^wellifiy-/, '').replace(/-/g, '_').toUpperCase()}_PASSWORD`];

  it('every service logs in as its own user with the password in .env; there is no guest, and a wrong password is refused', async () => {
    for (const kind of AMQP_PROCESSES) {
      const connection = await connect(url(`wellifiy-${kind}`, passwordOf(`wellifiy-${kind}`)));
      await connection.close();
    }
    await expect(connect(url('guest', 'guest'))).rejects.toThrow(/ACCESS-REFUSED/);
    await expect(connect(url('wellifiy-gateway', passwordOf('wellifiy-messages')))).rejects.toThrow(/ACCESS-REFUSED/);
  });

  it('each user has its least-privilege permissions: channels declares its command queue, messages may not', async () => {
    const channels = await connect(url('wellifiy-channels', passwordOf('wellifiy-channels')));
    const messages = await connect(url('wellifiy-messages', passwordOf('wellifiy-messages')));
    try {
      const own = await channels.createChannel();
      await own.assertExchange(Topology.deadLetterExchange, 'fanout', { durable: true });
      await expect(own.assertQueue(Topology.commandQueue('channels'), QueueOptions.commands())).resolves.toMatchObject({ queue: Topology.commandQueue('channels') });
      const other = await messages.createChannel();
      other.on('error', () => undefined);
      await expect(other.consume(Topology.commandQueue('channels'), () => undefined)).rejects.toThrow(/ACCESS_REFUSED/);
    } finally {
      await channels.close();
      await messages.close().catch(() => undefined);
    }
  });
});
