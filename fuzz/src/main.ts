import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import {
  createIsolatedVhost, deleteVhost, dropSystemDatabases, RunningApp, startSystem, stopApp, TEST_JWT_SECRET, testInfra, TINY_PNG, tokenFor, uniqueName,
} from '@wellifiy/testing';
import { FuzzContext, FuzzRequest, generateRequest } from './cases';
import { OpenApiDocument, routesOf } from './openapi';
import { uploadProbes } from './probes';
import { Outcome, sendAll } from './sender';
import { FuzzReport, summarize, toMarkdown } from './summary';

/**
 * The fuzz tier: starts the whole system (every service a real process), reads the gateway's OpenAPI document,
 * and sends hostile requests to every route from valid and invalid callers. Passes when no answer is ≥ 500 and no
 * connection is dropped. Usage: npm run fuzz [-- --short] [--seed N] [--requests N] [--replay INDEX] [--base-port P]
 */
const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261202' },
    requests: { type: 'string' },
    replay: { type: 'string' },
    'base-port': { type: 'string', default: '3700' },
    concurrency: { type: 'string', default: '4' },
  },
});

// Run from dist/fuzz/src: the repository root is three levels up.
const root = path.resolve(__dirname, '../../..');
const seed = Number(args.seed);
const basePort = Number(args['base-port']);
const total = args.requests ? Number(args.requests) : args.short ? 1_500 : 10_000;
const gateway = `http://127.0.0.1:${basePort}`;
const say = (line: string): void => void process.stdout.write(`[fuzz] ${line}\n`);

async function publishUsers(amqpUrl: string, orgId: string, events: { type: string; data: unknown }[]): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    for (const e of events) {
      const id = `evt_${randomUUID()}`;
      const envelope = { id, type: e.type, source: 'fuzz', time: new Date().toISOString(), orgId, data: e.data };
      ch.publish('wellifiy.events', e.type, Buffer.from(JSON.stringify(envelope)), { persistent: true, contentType: 'application/json', messageId: id });
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

async function call<T>(method: string, p: string, token: string, body?: unknown, raw?: { type: string; data: Buffer }): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: string | Buffer | undefined;
  if (raw) {
    headers['content-type'] = raw.type;
    payload = raw.data;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${gateway}${p}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`seeding: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An organisation with a manager, a team member and a patient; a care-team channel with a message and an image. */
async function seedWorld(amqpUrl: string): Promise<FuzzContext> {
  const orgId = uniqueName('fuzz-org');
  const manager = { userId: 'tm_fuzz_manager', orgId, kind: 'team_member' as const, perms: ['messaging:manage', 'settings:manage', 'audit:read'] };
  const team = { userId: 'tm_fuzz_member', orgId, kind: 'team_member' as const, perms: [] };
  const patient = { userId: 'pt_fuzz_patient', orgId, kind: 'patient' as const };
  await publishUsers(amqpUrl, orgId, [
    { type: 'team-member.created', data: { teamMemberId: manager.userId, firstName: 'Mana', lastName: 'Ger' } },
    { type: 'team-member.created', data: { teamMemberId: team.userId, firstName: 'Tea', lastName: 'Mmember' } },
    { type: 'patient.created', data: { patientId: patient.userId, firstName: 'Pat', lastName: 'Ient', allocationClinicianId: team.userId } },
  ]);
  const tokens = { manager: tokenFor(manager), team: tokenFor(team), patient: tokenFor(patient) };
  await until('the users being known', async () => {
    for (const t of Object.values(tokens)) if (typeof (await call<{ firstName?: string }>('GET', '/v1/me', t)).body?.firstName !== 'string') return false;
    return true;
  });
  const channel = await call<{ id: string }>('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, tokens.manager);
  if (channel.status >= 300) throw new Error(`seeding: activation answered ${channel.status}`);
  await call('POST', `/v1/channels/${channel.body.id}/members`, tokens.manager, { userId: team.userId });
  let messageId = '';
  await until('the first message being accepted', async () => {
    const sent = await call<{ id: string }>('POST', `/v1/channels/${channel.body.id}/messages`, tokens.manager, { clientMessageId: 'fuzz-seed-1', body: 'seed message' });
    messageId = sent.body?.id ?? '';
    return sent.status < 300;
  });
  const boundary = 'seedBoundary';
  const multipart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
    TINY_PNG,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const media = await call<{ id: string }>('POST', '/v1/media', tokens.manager, undefined, { type: `multipart/form-data; boundary=${boundary}`, data: multipart });
  if (media.status >= 300) throw new Error(`seeding: the upload answered ${media.status}`);
  const outsider = tokenFor({ userId: 'tm_fuzz_outsider', orgId: uniqueName('fuzz-other'), kind: 'team_member', perms: ['messaging:manage'] });
  const expired = tokenFor(manager, { expiresInSeconds: -60 });
  return {
    // The first three are the valid callers of the organisation (see generateRequest).
    callers: {
      manager: `Bearer ${tokens.manager}`,
      team: `Bearer ${tokens.team}`,
      patient: `Bearer ${tokens.patient}`,
      outsider: `Bearer ${outsider}`,
      expired: `Bearer ${expired}`,
      forged: `Bearer ${tokenFor(manager, { secret: 'not-the-secret-0123456789abcdef0123456789' })}`,
      garbage: 'Bearer not.a.jwt',
      basic: 'Basic dXNlcjpwYXNz',
      none: undefined,
    },
    channelId: channel.body.id,
    messageId,
    patientId: patient.userId,
    userId: team.userId,
    mediaId: media.body.id,
    image: TINY_PNG,
  };
}

function describeRequest(r: FuzzRequest, o: Outcome): string {
  const body = r.body ? r.body.toString('utf8') : '';
  return [
    `#${r.index} ${r.method} ${r.url.length > 300 ? `${r.url.slice(0, 300)}…` : r.url}  (${r.what}; caller ${r.caller})`,
    `  headers: ${JSON.stringify({ ...r.headers, authorization: r.headers.authorization ? `<${r.caller}>` : undefined })}`,
    body ? `  body (${r.body?.length} bytes): ${JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…` : body)}` : '  no body',
    `  → ${o.status ?? `dropped (${o.dropped})`} ${o.excerpt ?? ''}`.trimEnd(),
    r.what.startsWith('probe:') ? '  replay: the upload probes run after the random requests of every run (fuzz/src/probes.ts)' : `  replay: npm run fuzz -- --seed ${seed} --replay ${r.index}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const dbPrefix = uniqueName('fuzz');
  let apps: RunningApp[] = [];
  try {
    say(`starting the system on ports ${basePort}…${basePort + 4}`);
    apps = await startSystem({
      root,
      basePort,
      amqpUrl: broker.url,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix,
      nodeEnv: 'test',
      logLevel: 'warn',
      logs: path.join(root, 'reports/fuzz-logs'),
      extraEnv: {
        // Input handling is under test, not the rate limit; a small upload limit makes "too large" cheap to send.
        gateway: { RATE_LIMIT_PER_MINUTE: '100000000', MEDIA_UPLOAD_MAX_BYTES: String(512 * 1024) },
        messages: { MEDIA_MAX_IMAGE_BYTES: String(256 * 1024), MEDIA_MAX_VIDEO_BYTES: String(512 * 1024) },
        notifications: { DIGEST_DEFAULT_FREQUENCY: 'off' },
      },
    });
    const doc = (await (await fetch(`${gateway}/docs-json`)).json()) as OpenApiDocument;
    mkdirSync(path.join(root, 'reports'), { recursive: true });
    writeFileSync(path.join(root, 'reports/fuzz-openapi.json'), JSON.stringify(doc, null, 2));
    const routes = routesOf(doc);
    if (!routes.length) throw new Error('the OpenAPI document lists no route');
    const ctx = await seedWorld(broker.url);
    const indexes = args.replay !== undefined ? [Number(args.replay)] : Array.from({ length: total }, (_, i) => i);
    say(`${routes.length} routes in the OpenAPI document; sending ${indexes.length} requests (seed ${seed})…`);

    const outcomes: Outcome[] = [];
    const failures: string[] = [];
    const started = Date.now();
    const requests = (function* () {
      for (const i of indexes) yield generateRequest(routes, ctx, seed, i);
    })();
    await sendAll(gateway, requests, Number(args.concurrency), (o, r) => {
      outcomes.push(o);
      if (args.replay !== undefined || o.dropped || (o.status ?? 0) >= 500) {
        const text = describeRequest(r, o);
        if (o.dropped || (o.status ?? 0) >= 500) failures.push(text);
        process.stdout.write(`${text}\n`);
      }
    });
    if (args.replay === undefined) {
      say('upload probes: large, refused early, over the limit, on reused and parallel connections, cut off…');
      for (const { request, outcome } of await uploadProbes(gateway, ctx, total)) {
        outcomes.push(outcome);
        if (outcome.dropped || (outcome.status ?? 0) >= 500) {
          const text = describeRequest(request, outcome);
          failures.push(text);
          process.stdout.write(`${text}\n`);
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const live = await fetch(`${gateway}/health/live`).then((r) => r.status).catch((err: Error) => `unreachable (${err.message})`);
    const exited = apps.filter((a) => a.process.exitCode !== null || a.process.signalCode !== null).map((a) => a.name);

    const report: FuzzReport = { ...summarize(outcomes, routes.map((r) => `${r.method} ${r.path}`)), seed, seconds, gatewayLiveAfter: live, exitedApps: exited, failures: failures.slice(0, 50) };
    writeFileSync(path.join(root, 'reports/fuzz-result.json'), JSON.stringify(report, null, 2));
    const md = toMarkdown(report);
    writeFileSync(path.join(root, 'reports/fuzz.md'), md);
    process.stdout.write(`${md}\n`);
    const ok = report.totals.server === 0 && report.totals.dropped === 0 && live === 200 && !exited.length;
    say(ok ? 'clean: no answer ≥ 500, no dropped connection' : `FAILED: ${report.totals.server} answers ≥ 500, ${report.totals.dropped} dropped connections${exited.length ? `, exited: ${exited.join(', ')}` : ''}`);
    return ok ? 0 : 1;
  } finally {
    await Promise.all(apps.map((a) => stopApp(a)));
    if (broker.vhost) deleteVhost(broker.vhost);
    await dropSystemDatabases(testInfra.mongoUrl, dbPrefix).catch((err: Error) => say(`could not drop the fuzz databases: ${err.message}`));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[fuzz] ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
