/* The deployment files as the real tools read them, not only as YAML: the Compose v2 CLI interpolates and validates
 * docker-compose.yml against the Compose specification (`config -q`), and kustomize builds k8s/ (and k8s/rabbitmq/).
 * Both are built from the Go module proxy into .tools/bin by tools/scripts/lib/deployment-tools.sh (the test command
 * runs it first); the env file compose needs is generated, throwaway, in a temporary directory. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, '.tools/bin');
const SCRIPT = 'tools/scripts/lib/deployment-tools.sh';

/** The module@version the script pins for a tool (COMPOSE_MODULE / COMPOSE_VERSION, …). */
function pinned(prefix: 'COMPOSE' | 'KUSTOMIZE'): string {
  const script = readFileSync(path.join(ROOT, SCRIPT), 'utf8');
  const value = (name: string): string => new RegExp(`^${name}="([^"]+)"$`, 'm').exec(script)?.[1] ?? `no ${name} in ${SCRIPT}`;
  return `${value(`${prefix}_MODULE`)}@${value(`${prefix}_VERSION`)}`;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let scratch: string;

/** Runs a tool with a clean environment (nothing of the caller's shell, no ~/.docker), from the repository root. */
function run(tool: string, args: string[]): Run {
  const result = spawnSync(path.join(BIN, tool), args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, DOCKER_CONFIG: path.join(scratch, 'docker') },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What `npm run secrets [-- args]` would write to .env, in a throwaway file. */
function dotEnvFile(name: string, args: string[] = []): { file: string; values: Record<string, string> } {
  const out = spawnSync(process.execPath, [path.join(ROOT, 'tools/dev/secrets.mjs'), '--stdout', ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`tools/dev/secrets.mjs failed: ${out.stderr}`);
  const file = path.join(scratch, name);
  writeFileSync(file, out.stdout, { mode: 0o600 });
  const values = Object.fromEntries(
    out.stdout
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { file, values };
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'wellifiy-deployment-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the real parsers are installed at the pinned versions', () => {
  it.each([
    ['docker-compose', 'COMPOSE'],
    ['kustomize', 'KUSTOMIZE'],
  ] as const)('%s (run `bash tools/scripts/lib/deployment-tools.sh` when this fails)', (tool, prefix) => {
    expect(existsSync(path.join(BIN, tool))).toBe(true);
    expect(readFileSync(path.join(BIN, `${tool}.stamp`), 'utf8').trim()).toBe(pinned(prefix));
  });
});

describe('docker compose config', () => {
  it('accepts docker-compose.yml with what `npm run secrets` writes, and reports nothing', () => {
    const env = dotEnvFile('development.env');
    const result = run('docker-compose', ['-f', 'docker-compose.yml', '--env-file', env.file, 'config', '-q']);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('interpolates the env file into every service: each app connects as its own broker user with the generated password', () => {
    const env = dotEnvFile('development.env');
    const result = run('docker-compose', ['-f', 'docker-compose.yml', '--env-file', env.file, 'config', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const services = JSON.parse(result.stdout).services;
    for (const app of ['gateway', 'channels', 'messages', 'notifications', 'activation-rules']) {
      const variable = `RABBITMQ_${app.replace(/-/g, '_').toUpperCase()}_PASSWORD`;
      expect(services[app].environment.AMQP_URL).toBe(`amqp://wellifiy-${app}:${env.values[variable]}@rabbitmq:5672`);
      expect(services[app].environment.ENCRYPTION_KEYS).toBe(env.values.ENCRYPTION_KEYS);
    }
  });

  it('accepts the production env file (RS256 from a JWKS)', () => {
    const env = dotEnvFile('production.env', ['--production', '--jwks-url', 'https://id.wellifiy.example/.well-known/jwks.json', '--issuer', 'https://id.wellifiy.example/', '--audience', 'wellifiy-messaging']);
    const result = run('docker-compose', ['-f', 'docker-compose.yml', '--env-file', env.file, 'config', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).services.gateway.environment).toMatchObject({ NODE_ENV: 'production', JWT_ALGORITHM: 'RS256' });
  });

  it('refuses to run without the env file, naming the command that writes it', () => {
    const empty = path.join(scratch, 'empty.env');
    writeFileSync(empty, '');
    const result = run('docker-compose', ['-f', 'docker-compose.yml', '--env-file', empty, 'config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/required variable [A-Z_]+ is missing a value: run npm run secrets first/);
  });

  it('fails on a file that breaks the Compose specification (the parser is really checking)', () => {
    const file = path.join(scratch, 'broken-compose.yml');
    writeFileSync(file, 'services:\n  app:\n    image: busybox:1.36\n    restart: sometimes-maybe\n    not_a_compose_key: 1\n');
    const result = run('docker-compose', ['-f', file, 'config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/not_a_compose_key/);
  });
});

describe('kustomize build', () => {
  it.each(['k8s', 'k8s/rabbitmq', 'k8s/observability'])('builds %s without a message, every object in the wellifiy-messaging namespace', (dir) => {
    const result = run('kustomize', ['build', dir]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const docs = parseAllDocuments(result.stdout).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS();
    });
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.filter((d) => d.kind !== 'Namespace' && d.metadata?.namespace !== 'wellifiy-messaging').map((d) => `${d.kind}/${d.metadata?.name}`)).toEqual([]);
  });

  it('the built k8s/ holds every app with its disruption budget, the network policies, the ingress and the external services', () => {
    const docs = parseAllDocuments(run('kustomize', ['build', 'k8s']).stdout).map((d) => d.toJS());
    const names = (kind: string): string[] => docs.filter((d) => d.kind === kind).map((d) => d.metadata.name).sort();
    const apps = ['activation-rules', 'channels', 'gateway', 'messages', 'notifications'].map((a) => `messaging-${a}`);
    expect(names('Deployment')).toEqual(apps);
    expect(names('PodDisruptionBudget')).toEqual(apps);
    expect(names('HorizontalPodAutoscaler')).toEqual(apps);
    expect(names('NetworkPolicy')).toEqual(['default-deny-ingress', ...apps].sort());
    expect(names('Ingress')).toEqual(['messaging-gateway']);
    expect(names('EndpointSlice')).toEqual(['messaging-mongodb-members', 'messaging-rabbitmq-nodes', 'messaging-redis-primary']);
    expect(names('Secret')).toEqual([]);
  });

  it('fails on a kustomization that names a file that does not exist (the build is really checking)', () => {
    const dir = mkdtempSync(path.join(scratch, 'kustomization-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n');
    const result = run('kustomize', ['build', dir]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/missing\.yaml/);
  });
});
