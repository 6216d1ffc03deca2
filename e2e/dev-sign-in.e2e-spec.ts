import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_GROUP_CHANNEL, DEMO_MESSAGES, DEMO_STAFF_CHANNEL, DEMO_USERS, seedDemoOrganisation } from '@wellifiy/demo';
import { TEST_JWT_SECRET } from '@wellifiy/testing';
import { loadOpenApiConformance, OpenApiConformance } from './support/openapi-conformance';
import { SecondGateway, startSecondGateway } from './support/second-gateway';
import { e2eAmqpUrl, gatewayUrl } from './support/system';

/*
 * The development sign-in of the web console against the real system: the demo organisation seeded the way the run
 * command does it (directory events on the broker, conversations through the gateway), a gateway replica started
 * with NODE_ENV=development minting tokens that work for REST calls, and the system's own gateway (NODE_ENV=test)
 * and a production one without the routes.
 */

interface Reply {
  status: number;
  body: any;
}

/** HTTP against one gateway, each response checked against that gateway's own OpenAPI document. */
function client(baseUrl: string): (method: string, path: string, opts?: { token?: string; body?: unknown }) => Promise<Reply> {
  let conformance: Promise<OpenApiConformance> | undefined;
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    const body: unknown = text ? JSON.parse(text) : null;
    conformance ??= loadOpenApiConformance(baseUrl);
    const mismatch = (await conformance).check(method, path, res.status, res.headers.get('content-type'), body);
    if (mismatch) throw new Error(`response not as documented: ${mismatch}`);
    return { status: res.status, body };
  };
}

async function devPathsOf(baseUrl: string): Promise<string[]> {
  const doc = (await (await fetch(`${baseUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
  return Object.keys(doc.paths).filter((p) => p.startsWith('/v1/dev'));
}

const seedOptions = () => ({ gatewayUrl, amqpUrl: e2eAmqpUrl(), jwtSecret: TEST_JWT_SECRET });

describe('Development sign-in and the demo organisation (web console)', () => {
  let dev: SecondGateway;
  let devApi: ReturnType<typeof client>;
  let channels: Record<string, string>;
  let firstRun: { channelsCreated: number; messagesCreated: number };

  // A console build of its own for the development replica (the system's gateway has none: dist/apps/console is not built here).
  const consoleDir = mkdtempSync(path.join(tmpdir(), 'console-e2e-'));
  const consoleIndex = '<!doctype html><html><head><script type="module" src="/console/assets/index.js"></script></head><body></body></html>';

  beforeAll(async () => {
    writeFileSync(path.join(consoleDir, 'index.html'), consoleIndex);
    dev = await startSecondGateway(20, { NODE_ENV: 'development', DEV_SIGN_IN: 'true', DEV_MAIL_INBOX_URL: 'http://localhost:1080', CONSOLE_DIR: consoleDir });
    devApi = client(dev.url);
    const first = await seedDemoOrganisation(seedOptions());
    channels = first.channels;
    firstRun = { channelsCreated: first.channelsCreated, messagesCreated: first.messagesCreated };
  }, 120_000);
  afterAll(async () => {
    await dev?.stop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('the seed is idempotent: a second run (a restart of start:all) adds no channel and no message', async () => {
    const again = await seedDemoOrganisation(seedOptions());

    // the first run made two care-team channels, the group, the staff channel and the DM, and sent every message
    expect(firstRun).toEqual({ channelsCreated: 5, messagesCreated: DEMO_MESSAGES.length });

    expect(again).toEqual({ channels, channelsCreated: 0, messagesCreated: 0 });
    const signedIn = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'tm_demo_manager' } });
    const list = await devApi('GET', '/v1/channels', { token: signedIn.body.token });
    const byType = (t: string) => list.body.filter((c: { type: string }) => c.type === t);
    expect(byType('care_team')).toHaveLength(2);
    expect(byType('group').map((c: { name: string }) => c.name)).toEqual([DEMO_GROUP_CHANNEL.name]);
    expect(byType('staff').map((c: { name: string; patientId: string }) => [c.name, c.patientId])).toEqual([[DEMO_STAFF_CHANNEL.name, DEMO_STAFF_CHANNEL.patientId]]);
    expect(byType('dm')).toHaveLength(1);
    const care = await devApi('GET', `/v1/channels/${channels['care_team:pt_demo_alex']}/messages`, { token: signedIn.body.token });
    const expected = DEMO_MESSAGES.filter((m) => 'careTeamOf' in m.channel && m.channel.careTeamOf === 'pt_demo_alex');
    expect(care.body.messages.map((m: { body: string }) => m.body)).toEqual(expected.map((m) => m.body));
  });

  it('NODE_ENV=development: GET /v1/dev/users lists the seeded demo users and the mail inbox, documented in OpenAPI', async () => {
    const res = await devApi('GET', '/v1/dev/users');

    expect(res.status).toBe(200);
    expect(res.body.organisation.id).toBe('org_demo');
    expect(res.body.users.map((u: { userId: string }) => u.userId)).toEqual(DEMO_USERS.map((u) => u.userId));
    expect(res.body.mailInboxUrl).toBe('http://localhost:1080');
    expect((await devPathsOf(dev.url)).sort()).toEqual(['/v1/dev/sign-in', '/v1/dev/users']);
  });

  it("a signed-in patient's token works for REST calls: Alex sees the care-team and group channels, never the staff channel or the DM", async () => {
    const signedIn = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'pt_demo_alex' } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toEqual({ userId: 'pt_demo_alex', kind: 'patient', displayName: 'Alex', realName: 'Alex Moreno', permissions: [] });

    const me = await devApi('GET', '/v1/me', { token: signedIn.body.token });
    const list = await devApi('GET', '/v1/channels', { token: signedIn.body.token });

    expect(me.body).toEqual(expect.objectContaining({ userId: 'pt_demo_alex', orgId: 'org_demo', kind: 'patient', firstName: 'Alex' }));
    expect(list.body.map((c: { id: string }) => c.id).sort()).toEqual([channels['care_team:pt_demo_alex'], channels.group].sort());
    // The token is the gateway's own kind: the system's other gateway (same secret) accepts it too.
    expect((await fetch(`${gatewayUrl}/v1/me`, { headers: { authorization: `Bearer ${signedIn.body.token}` } })).status).toBe(200);
  });

  it('the patient Jordan shows the display name the seed set; team members see the real name beside it', async () => {
    const manager = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'tm_demo_manager' } });
    const jordan = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'pt_demo_jordan' } });
    const alex = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'pt_demo_alex' } });

    const asManager = await devApi('GET', `/v1/channels/${channels.group}/members`, { token: manager.body.token });
    const asAlex = await devApi('GET', `/v1/channels/${channels.group}/members`, { token: alex.body.token });
    const jordanFor = (members: { userId: string }[]) => members.find((m) => m.userId === 'pt_demo_jordan');

    expect((await devApi('GET', '/v1/me', { token: jordan.body.token })).body.displayName).toBe('JB');
    expect(jordanFor(asManager.body)).toEqual(expect.objectContaining({ displayName: 'JB', realName: expect.objectContaining({ lastName: 'Baptiste' }) }));
    expect(JSON.stringify(jordanFor(asAlex.body))).not.toContain('Baptiste');
  });

  it('an unknown demo user is 404 with a message naming it', async () => {
    const res = await devApi('POST', '/v1/dev/sign-in', { body: { userId: 'tm_nobody' } });

    expect(res.status).toBe(404);
    expect(res.body.message).toContain('no demo user "tm_nobody"');
  });

  it('the gateway serves the console build at /console/ (its app routes too) with a CSP without inline script', async () => {
    const page = await fetch(`${dev.url}/console/`);
    const route = await fetch(`${dev.url}/console/channels/ch_1`);

    expect(page.status).toBe(200);
    expect(await page.text()).toBe(consoleIndex);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(await route.text()).toBe(consoleIndex);
  });

  it('NODE_ENV=test (the system under test): the routes answer 404 and are not in the OpenAPI document', async () => {
    expect((await fetch(`${gatewayUrl}/v1/dev/users`)).status).toBe(404);
    const signIn = await fetch(`${gatewayUrl}/v1/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"tm_demo_manager"}' });
    expect(signIn.status).toBe(404);
    expect(await devPathsOf(gatewayUrl)).toEqual([]);
  });

  it('NODE_ENV=production: the routes answer 404 and are not in the OpenAPI document; without a console build, /console/ is 404 saying to build it', async () => {
    const production = await startSecondGateway(21, {
      NODE_ENV: 'production',
      JWT_ALGORITHM: 'RS256',
      JWT_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      JWT_ISSUER: 'https://id.wellifiy.example',
      JWT_AUDIENCE: 'wellifiy-messaging',
      // production refuses the committed development key ring; this replica opens no events in this test
      ENCRYPTION_KEYS: `prod1:${randomBytes(32).toString('base64')}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'prod1',
      CONSOLE_DIR: path.join(consoleDir, 'not-built'),
    });
    try {
      expect((await fetch(`${production.url}/v1/dev/users`)).status).toBe(404);
      const signIn = await fetch(`${production.url}/v1/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"tm_demo_manager"}' });
      expect(signIn.status).toBe(404);
      expect(await devPathsOf(production.url)).toEqual([]);
      const unbuilt = await fetch(`${production.url}/console/`);
      expect(unbuilt.status).toBe(404);
      expect(((await unbuilt.json()) as { message: string }).message).toContain('the web console is not built');
    } finally {
      await production.stop();
    }
  });
});
