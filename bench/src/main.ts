import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { io, Socket } from 'socket.io-client';
import { Topology } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { AppName, createIsolatedVhost, REPLICA_PORT_STRIDE, deleteVhost, dropSystemDatabases, RunningApp, startSystem, stopApp, TEST_JWT_SECRET, testInfra, tokenFor, uniqueName } from '@wellifiy/testing';
import { Histogram, openLoop } from './histogram';

/**
 * Loads the system the way its users do and prints the figures of DESIGN §7 beside their bars.
 * Without --gateway it starts its own system (own RabbitMQ vhost, databases and queue prefix).
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    gateway: { type: 'string' },
    amqp: { type: 'string' },
    'jwt-secret': { type: 'string' },
    out: { type: 'string', default: 'reports/benchmark.md' },
    sockets: { type: 'string' },
    profile: { type: 'boolean', default: false },
    /** Processes of every service and of the gateway (replica r on the ports 10 × r above the first's). */
    replicas: { type: 'string', default: '1' },
  },
});

const quick = args.quick ?? false;
const replicas = Number(args.replicas ?? 1);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) throw new Error(`--replicas must be a whole number from 1 to 9, not ${args.replicas}`);
const scale = {
  users: Number(args.sockets ?? (quick ? 120 : 1000)),
  rates: quick ? [50] : [50, 200, 400],
  phaseSeconds: quick ? 4 : 15,
  ramp: quick ? [10, 25, 50, 100] : [10, 25, 50, 100, 200, 400, 800, 1500],
  rampSeconds: quick ? 3 : 8,
  fanoutSizes: quick ? [2, 10, 30] : [2, 10, 50, 200, 500],
  rawSeconds: quick ? 1 : 3,
};

interface Ctx {
  /** The first gateway; `gateways` are all of them (one per replica), which the load spreads over. */
  gateway: string;
  gateways: string[];
  amqpUrl: string;
  secret: string;
  orgId: string;
}

/** Database commands every back-end service has sent so far, from their /metrics (db_commands_total). */
interface DbCounts {
  commands: number;
  writes: number;
  /** Sum of round-trip seconds of all commands. */
  seconds: number;
  byService: Record<string, { commands: number; writes: number }>;
  /** `service command` → count */
  byCommand: Record<string, number>;
  /** `service command` → round-trip seconds */
  secondsByCommand: Record<string, number>;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** The back-end services of a local system listen on each gateway's port + 1…4 (every replica's, summed by service). */
function serviceMetricUrls(ctx: Ctx): string[] {
  return ctx.gateways.flatMap((gateway) => {
    const url = new URL(gateway);
    return [1, 2, 3, 4].map((k) => `${url.protocol}//${url.hostname}:${Number(url.port) + k}/metrics`);
  });
}

/** The gateway of replica r of a local system whose first gateway is `first`. */
function gatewaysFrom(first: string, n: number): string[] {
  const url = new URL(first);
  return Array.from({ length: n }, (_v, r) => `${url.protocol}//${url.hostname}:${Number(url.port) + REPLICA_PORT_STRIDE * r}`);
}

let nextGateway = 0;
/** The gateways take turns, as a load balancer in front of them would spread requests. */
const anyGateway = (ctx: Ctx): string => ctx.gateways[nextGateway++ % ctx.gateways.length];

async function dbCounts(ctx: Ctx): Promise<DbCounts> {
  const out: DbCounts = { commands: 0, writes: 0, seconds: 0, byService: {}, byCommand: {}, secondsByCommand: {} };
  for (const url of serviceMetricUrls(ctx)) {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      const m = /^db_commands_total\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
      const t = /^db_command_seconds_sum\{([^}]*)\} ([\d.e+-]+)$/.exec(line);
      if (t) {
        out.seconds += Number(t[2]);
        const l = Object.fromEntries([...t[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        const key = `${l.service} ${l.command}`;
        out.secondsByCommand[key] = (out.secondsByCommand[key] ?? 0) + Number(t[2]);
      }
      if (!m) continue;
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const n = Number(m[2]);
      const svc = (out.byService[labels.service] ??= { commands: 0, writes: 0 });
      out.commands += n;
      svc.commands += n;
      const key = `${labels.service} ${labels.command}`;
      out.byCommand[key] = (out.byCommand[key] ?? 0) + n;
      if (WRITE_COMMANDS.has(labels.command)) {
        out.writes += n;
        svc.writes += n;
      }
    }
  }
  return out;
}

/**
 * CPU seconds used so far, by process: the back-end services (from their /metrics), this load generator, and the
 * infrastructure processes of this machine (from /proc; they are shared, so they include anything else running).
 */
async function cpuSeconds(ctx: Ctx): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (name: string, v: number): void => void out.set(name, (out.get(name) ?? 0) + v);
  const urls = [...ctx.gateways.map((g) => `${g}/metrics`), ...serviceMetricUrls(ctx)];
  for (const url of urls) {
    const text = await (await fetch(url)).text();
    const service = /service="([^"]+)"/.exec(text)?.[1] ?? url;
    for (const m of text.matchAll(/^process_cpu_seconds_total\{[^}]*\} ([\d.e+-]+)$/gm)) add(service, Number(m[1]));
  }
  const own = process.cpuUsage();
  add('load generator', (own.user + own.system) / 1e6);
  const infra: Record<string, string> = { ferretdb: 'FerretDB', postgres: 'PostgreSQL', 'beam.smp': 'RabbitMQ', 'redis-server': 'Redis' };
  const tick = 100; // USER_HZ
  for (const pid of (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (?:\S+ ){10}(\d+) (\d+)/.exec(stat);
    if (m && infra[m[1]]) add(infra[m[1]], (Number(m[2]) + Number(m[3])) / tick);
  }
  return out;
}

/** Share of one core each process used between two readings, busiest first. */
function cpuShare(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  return [...after.entries()]
    .map(([name, v]) => [name, (100 * (v - (before.get(name) ?? 0))) / seconds] as const)
    .filter(([, pct]) => pct >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, pct]) => `${name} ${pct.toFixed(0)} %`)
    .join(', ');
}

/** Database work per message between two readings. */
function perMessage(before: DbCounts, after: DbCounts, messages: number): { commands: number; writes: number; ms: number; writesBy: string; commandsBy: string } {
  // Per command: how many per message, and the mean round-trip of one (queueing in the driver pool included).
  const commandsBy = Object.keys(after.byCommand)
    .map((k) => {
      const count = after.byCommand[k] - (before.byCommand[k] ?? 0);
      const seconds = (after.secondsByCommand[k] ?? 0) - (before.secondsByCommand[k] ?? 0);
      return [k, count / messages, count ? (seconds * 1000) / count : 0] as const;
    })
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n, ms]) => `${k} ${n.toFixed(2)} × ${ms.toFixed(1)} ms`)
    .join(', ');
  const writesBy = Object.keys(after.byService)
    .sort()
    .map((svc) => `${svc} ${((after.byService[svc].writes - (before.byService[svc]?.writes ?? 0)) / messages).toFixed(2)}`)
    .join(', ');
  return {
    commands: (after.commands - before.commands) / messages,
    writes: (after.writes - before.writes) / messages,
    ms: ((after.seconds - before.seconds) * 1000) / messages,
    writesBy,
    commandsBy,
  };
}

interface Member {
  userId: string;
  token: string;
  socket?: Socket;
}

const report: { section: string; rows: [string, string, string][] }[] = [];
const fmt = (n: number | null | undefined, unit = 'ms'): string => (n === null || n === undefined ? 'n/a' : `${n.toFixed(1)} ${unit}`);

async function http<T>(ctx: Ctx, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${anyGateway(ctx)}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function publish(ctx: Ctx, events: { type: string; data: unknown }[]): Promise<void> {
  const conn = await amqp.connect(ctx.amqpUrl);
  const ch = await conn.createConfirmChannel();
  for (const e of events) {
    const envelope = { id: `evt_${randomUUID()}`, type: e.type, source: 'bench', time: new Date().toISOString(), orgId: ctx.orgId, data: e.data };
    ch.publish('wellifiy.events', e.type, Buffer.from(JSON.stringify(envelope)), { persistent: true, contentType: 'application/json' });
  }
  await ch.waitForConfirms();
  await conn.close();
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A seeded organisation: care channels of 2–6 members, groups of 10–50 (and of hundreds in full mode). */
async function seed(ctx: Ctx): Promise<{ channels: { id: string; members: Member[] }[]; users: Member[] }> {
  const staffCount = Math.max(5, Math.round(scale.users * 0.15));
  const patientCount = scale.users - staffCount;
  const mk = (prefix: string, i: number, kind: 'team_member' | 'patient', perms: string[] = []): Member => {
    const userId = `${prefix}_${i}`;
    return { userId, token: tokenFor({ userId, orgId: ctx.orgId, kind, perms }, { secret: ctx.secret }) };
  };
  const staff = Array.from({ length: staffCount }, (_, i) => mk('tm', i, 'team_member', ['messaging:manage']));
  const patients = Array.from({ length: patientCount }, (_, i) => mk('pt', i, 'patient'));
  await publish(ctx, [
    ...staff.map((s) => ({ type: 'team-member.created', data: { teamMemberId: s.userId, firstName: 'Team', lastName: s.userId } })),
    ...patients.map((p) => ({ type: 'patient.created', data: { patientId: p.userId, firstName: 'Pat', lastName: p.userId } })),
  ]);
  const last = patients[patients.length - 1];
  await until('the directory to know everyone', async () => (await http<{ firstName: string | null }>(ctx, 'GET', '/v1/me', last.token)).body?.firstName !== null);

  // Each patient's care channel (2–6 members) is set up by its own sequence of calls; 16 patients at a time.
  const channels: { id: string; members: Member[] }[] = new Array(patients.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < patients.length; i = next++) {
        const owner = staff[i % staff.length];
        const res = await http<{ id: string }>(ctx, 'POST', `/v1/patients/${patients[i].userId}/channels/care_team/activate`, owner.token);
        if (res.status >= 300) throw new Error(`activating a care channel answered ${res.status}`);
        const members = [patients[i], owner];
        for (let k = 1; k <= i % 5; k++) {
          const extra = staff[(i + k) % staff.length];
          if (members.includes(extra)) continue;
          await http(ctx, 'POST', `/v1/channels/${res.body.id}/members`, owner.token, { userId: extra.userId });
          members.push(extra);
        }
        channels[i] = { id: res.body.id, members };
      }
    }),
  );
  const groupSizes = quick ? [10, 30] : [10, 25, 50, 200, 500];
  for (const size of groupSizes) {
    const ps = patients.slice(0, Math.min(size - 1, patients.length));
    const res = await http<{ id: string }>(ctx, 'POST', '/v1/channels', staff[0].token, { type: 'group', name: `Group ${size}`, memberIds: ps.map((p) => p.userId) });
    channels.push({ id: res.body.id, members: [staff[0], ...ps] });
  }
  return { channels, users: [...staff, ...patients] };
}

async function connectAll(ctx: Ctx, users: Member[]): Promise<void> {
  for (let i = 0; i < users.length; i += 50) {
    await Promise.all(
      users.slice(i, i + 50).map(
        (u) =>
          new Promise<void>((resolve, reject) => {
            const s = io(anyGateway(ctx), { auth: { token: u.token }, transports: ['websocket'], reconnection: false, forceNew: true });
            s.once('ready', () => resolve());
            s.once('connect_error', reject);
            u.socket = s;
          }),
      ),
    );
  }
}

/**
 * Waits until the system is idle: every back-end service's event queue empty and no database commands for a
 * moment. Each phase starts from rest, so it never pays for the previous phase's backlog.
 */
async function settle(ctx: Ctx): Promise<void> {
  const conn = await amqp.connect(ctx.amqpUrl);
  const ch = await conn.createChannel();
  const queues = (['channels', 'messages', 'notifications', 'activation-rules'] as const).map((s) => Topology.eventQueue(s));
  let quiet = 0;
  let last = (await dbCounts(ctx)).commands;
  const deadline = Date.now() + 180_000;
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 400));
    const depths = await Promise.all(queues.map(async (q) => (await ch.checkQueue(q)).messageCount));
    const now = (await dbCounts(ctx)).commands;
    quiet = depths.every((d) => d === 0) && now - last <= 2 ? quiet + 1 : 0;
    last = now;
  }
  await conn.close();
}

/** send→ack (HTTP 201) and send→delivered to the last member socket, at a fixed arrival rate. */
async function loadAt(ctx: Ctx, channels: { id: string; members: Member[] }[], rate: number, seconds: number) {
  const ack = new Histogram();
  const delivered = new Histogram();
  const waiting = new Map<string, { t0: number; left: number }>();
  const onMessage = (m: { clientMessageId: string }): void => {
    const w = waiting.get(m.clientMessageId);
    if (!w) return;
    if (--w.left === 0) {
      delivered.record(performance.now() - w.t0);
      waiting.delete(m.clientMessageId);
    }
  };
  const sockets = new Set(channels.flatMap((c) => c.members.map((m) => m.socket)).filter((s): s is Socket => !!s));
  await settle(ctx);
  for (const s of sockets) s.on('message.created', onMessage);
  const before = await dbCounts(ctx);
  const cpuBefore = await cpuSeconds(ctx);
  const t0 = performance.now();
  const result = await openLoop(rate, seconds, async (i, due) => {
    const c = channels[i % channels.length];
    const sender = c.members[i % c.members.length];
    const clientMessageId = `b-${randomUUID()}`;
    const t0 = due; // from when the send was due, so the generator's own lateness is not hidden
    waiting.set(clientMessageId, { t0, left: c.members.filter((m) => m.socket).length });
    const res = await http(ctx, 'POST', `/v1/channels/${c.id}/messages`, sender.token, { clientMessageId, body: `load ${i}` });
    if (res.status !== 201) throw new Error(`send ${res.status}`);
    ack.record(performance.now() - t0);
  });
  const deadline = Date.now() + 5000;
  while (waiting.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const s of sockets) s.off('message.created', onMessage);
  await new Promise((r) => setTimeout(r, 300)); // consumers that are not on the delivery path (notifications) finish
  const cpu = cpuShare(cpuBefore, await cpuSeconds(ctx), (performance.now() - t0) / 1000);
  const db = perMessage(before, await dbCounts(ctx), Math.max(1, result.sent));
  return { ack: ack.summary(), delivered: delivered.summary(), lag: result.lag.summary(), errors: result.errors, undelivered: waiting.size, achieved: result.sent / seconds, db, cpu };
}

async function rawCeilings(ctx: Ctx): Promise<{ part: string; perSecond: number }[]> {
  const ceilings: { part: string; perSecond: number }[] = [];
  const seconds = scale.rawSeconds;
  const rows: [string, string, string][] = [];
  // RabbitMQ: persistent publishes with confirms, 64 in flight.
  {
    const conn = await amqp.connect(ctx.amqpUrl);
    const ch = await conn.createConfirmChannel();
    const ex = `bench.raw.${randomUUID()}`;
    await ch.assertExchange(ex, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, ex, '');
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 64; i++) ch.publish(ex, '', Buffer.from('{"x":1}'), { persistent: true });
      await ch.waitForConfirms();
      n += 64;
    }
    await conn.close();
    rows.push(['RabbitMQ publish with confirms', `${Math.round(n / seconds)} msg/s`, '—']);
    ceilings.push({ part: 'RabbitMQ publishes', perSecond: n / seconds });
  }
  // Database server: single-document inserts, 16 in flight.
  {
    const client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
    const db = client.db(uniqueName('bench-raw'));
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await Promise.all(Array.from({ length: 16 }, (_, i) => db.collection('t').insertOne({ i, body: 'x'.repeat(200), at: new Date() })));
      n += 16;
    }
    await db.dropDatabase();
    await client.close();
    rows.push(['database insert (MongoDB wire)', `${Math.round(n / seconds)} docs/s`, '—']);
    ceilings.push({ part: 'database inserts', perSecond: n / seconds });
  }
  // Redis: INCR, pipelined by 100.
  {
    const redis = new Redis(testInfra.redisUrl);
    const key = `bench:${randomUUID()}`;
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const p = redis.pipeline();
      for (let i = 0; i < 100; i++) p.incr(key);
      await p.exec();
      n += 100;
    }
    await redis.del(key);
    redis.disconnect();
    rows.push(['Redis INCR (pipelined)', `${Math.round(n / seconds)} ops/s`, '—']);
    ceilings.push({ part: 'Redis operations', perSecond: n / seconds });
  }
  report.push({ section: '(a) ceilings of the parts', rows });
  return ceilings;
}

async function bullLateness(): Promise<void> {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const connection = bullConnection(testInfra.redisUrl);
  const queue = new Queue(name, { connection, prefix: 'bench' });
  const events = new QueueEvents(name, { connection, prefix: 'bench' });
  const lateness = new Histogram();
  const worker = new Worker(name, async (job) => void lateness.record(Date.now() - (job.data.due as number)), { connection, prefix: 'bench' });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  const n = quick ? 20 : 100;
  for (let i = 0; i < n; i++) {
    const delay = 300 + (i % 10) * 70;
    await queue.add('j', { due: Date.now() + delay }, { delay, removeOnComplete: true });
  }
  await until('delayed jobs to fire', async () => lateness.count >= n, 30_000);
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const s = lateness.summary();
  report.push({ section: '(f) BullMQ delayed jobs', rows: [['lateness p50 / p99 / max', `${fmt(s.p50)} / ${fmt(s.p99)} / ${fmt(s.max)}`, '≤ 1000 ms']] });
}

/** With --profile every service writes a V8 CPU profile (reports/profiles/<app>.cpuprofile) when it stops. */
const profileArgs = (dir: string) => (app: AppName): string[] => (args.profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${app}.cpuprofile`] : []);

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  let apps: RunningApp[] = [];
  let vhost: string | null = null;
  let dbPrefix: string | null = null;
  let ctx: Ctx;
  if (args.gateway) {
    ctx = { gateway: args.gateway, gateways: gatewaysFrom(args.gateway, replicas), amqpUrl: args.amqp ?? testInfra.amqpUrl, secret: args['jwt-secret'] ?? TEST_JWT_SECRET, orgId: uniqueName('bench-org') };
  } else {
    const broker = createIsolatedVhost(testInfra.amqpUrl);
    vhost = broker.vhost;
    const prefix = uniqueName('bench');
    dbPrefix = prefix;
    process.stdout.write(`[bench] starting the system${replicas > 1 ? ` (${replicas} replicas of every service and gateway)` : ''}…\n`);
    apps = await startSystem({
      root,
      basePort: 3600,
      amqpUrl: broker.url,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix: prefix,
      nodeEnv: 'test',
      logLevel: 'warn',
      logs: path.join(root, 'reports/bench-logs'),
      extraEnv: { gateway: { RATE_LIMIT_PER_MINUTE: '10000000' } },
      nodeArgs: profileArgs(path.join(root, 'reports/profiles')),
    }, 60_000 * replicas, replicas);
    ctx = { gateway: 'http://127.0.0.1:3600', gateways: gatewaysFrom('http://127.0.0.1:3600', replicas), amqpUrl: broker.url, secret: TEST_JWT_SECRET, orgId: uniqueName('bench-org') };
  }
  const started = Date.now();
  try {
    process.stdout.write('[bench] raw ceilings…\n');
    const ceilings = await rawCeilings(ctx);
    process.stdout.write(`[bench] seeding ${scale.users} users and their channels…\n`);
    const { channels, users } = await seed(ctx);
    const careChannels = channels.filter((c) => c.members.length <= 6);
    await connectAll(ctx, users);
    const fixed: [string, string, string][] = [];
    for (const rate of scale.rates) {
      process.stdout.write(`[bench] ${rate} messages/s with ${users.length} sockets…\n`);
      const r = await loadAt(ctx, careChannels, rate, scale.phaseSeconds);
      fixed.push([`${rate} msg/s: send→ack p50 / p99`, `${fmt(r.ack.p50)} / ${fmt(r.ack.p99)}`, rate === 200 ? 'p99 ≤ 30 ms' : '—']);
      fixed.push([`${rate} msg/s: send→delivered (last recipient) p50 / p99`, `${fmt(r.delivered.p50)} / ${fmt(r.delivered.p99)}`, rate === 200 ? 'p99 ≤ 60 ms' : '—']);
      fixed.push([`${rate} msg/s: errors / undelivered`, `${r.errors} / ${r.undelivered}`, '0 / 0']);
      fixed.push([`${rate} msg/s: load generator lateness p99 (included in the latencies above)`, fmt(r.lag.p99), '—']);
      fixed.push([`${rate} msg/s: CPU by process (% of one core; the machine has ${availableParallelism()})`, r.cpu, '—']);
      fixed.push([
        `${rate} msg/s: database work per message (all services)`,
        `${r.db.commands.toFixed(1)} commands (${r.db.commandsBy}), ${r.db.ms.toFixed(1)} ms of round-trips; writes ${r.db.writes.toFixed(2)} (${r.db.writesBy})`,
        '—',
      ]);
    }
    report.push({ section: `(b) fixed rates, ${users.length} sockets`, rows: fixed });

    const ramp: [string, string, string][] = [];
    let knee: number | null = null;
    let sustained = 0;
    for (const rate of scale.ramp) {
      process.stdout.write(`[bench] ramp: ${rate} messages/s…\n`);
      const r = await loadAt(ctx, careChannels, rate, scale.rampSeconds);
      ramp.push([`${rate} msg/s offered`, `achieved ${r.achieved.toFixed(0)}/s, ack p99 ${fmt(r.ack.p99)}, delivered p99 ${fmt(r.delivered.p99)}, errors ${r.errors}`, '—']);
      if ((r.delivered.p99 ?? Infinity) > 100 || r.errors > 0) {
        knee = rate;
        break;
      }
      sustained = Math.max(sustained, r.achieved);
    }
    ramp.push(['saturation knee (first rate with p99 > 100 ms or errors)', knee === null ? `beyond ${scale.ramp[scale.ramp.length - 1]} msg/s` : `${knee} msg/s`, '≥ 1500 msg/s sustained']);
    // Each message costs at least one database insert and one broker publish: the pipeline is compared with the
    // slowest of the parts it cannot do without.
    const slowest = ceilings.reduce((a, b) => (b.perSecond < a.perSecond ? b : a));
    ramp.push([
      'pipeline throughput (highest rate below the knee) / slowest part',
      `${sustained.toFixed(0)} msg/s = ${((100 * sustained) / slowest.perSecond).toFixed(1)} % of ${slowest.part} (${Math.round(slowest.perSecond)}/s)`,
      '—',
    ]);
    report.push({ section: '(c) ramp to the knee', rows: ramp });

    const fan: [string, string, string][] = [];
    for (const size of scale.fanoutSizes) {
      const c = channels.filter((x) => x.members.length >= size).sort((a, b) => a.members.length - b.members.length)[0];
      if (!c) continue;
      const r = await loadAt(ctx, [c], 20, 2);
      fan.push([
        `channel of ${c.members.length} members: delivered p99; database writes per message`,
        `${fmt(r.delivered.p99)}; ${r.db.writes.toFixed(2)} (${r.db.writesBy})`,
        'writes per message flat',
      ]);
    }
    report.push({ section: '(d) fan-out by channel size', rows: fan });

    const badge = new Histogram();
    for (const u of users.slice(0, quick ? 50 : 300)) {
      const t0 = performance.now();
      await http(ctx, 'GET', '/v1/me/badge', u.token);
      badge.record(performance.now() - t0);
    }
    const catchUp = new Histogram();
    const busy = channels.filter((c) => c.members.length <= 6)[0];
    for (let i = 0; i < 100; i++) await http(ctx, 'POST', `/v1/channels/${busy.id}/messages`, busy.members[1].token, { clientMessageId: `cu-${randomUUID()}`, body: `m ${i}` });
    const page = await http<{ messages: { seq: number }[] }>(ctx, 'GET', `/v1/channels/${busy.id}/messages?limit=1`, busy.members[0].token);
    const top = page.body.messages[0]?.seq ?? 100;
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const t0 = performance.now();
      const r = await http<{ messages: unknown[] }>(ctx, 'GET', `/v1/channels/${busy.id}/messages?after=${top - 100}&limit=100`, busy.members[0].token);
      if (r.body.messages.length !== 100) throw new Error(`catch-up returned ${r.body.messages.length} messages`);
      catchUp.record(performance.now() - t0);
    }
    report.push({
      section: '(e) reads',
      rows: [
        ['unread summary (GET /v1/me/badge) p50 / p99', `${fmt(badge.percentile(50))} / ${fmt(badge.percentile(99))}`, 'p99 ≤ 15 ms'],
        ['reconnect catch-up of 100 messages p50 / p99', `${fmt(catchUp.percentile(50))} / ${fmt(catchUp.percentile(99))}`, 'p99 ≤ 100 ms'],
      ],
    });
    await bullLateness();
    for (const u of users) u.socket?.close();
  } finally {
    await Promise.all(apps.map((a) => stopApp(a)));
    if (vhost) deleteVhost(vhost);
    if (dbPrefix) await dropSystemDatabases(testInfra.mongoUrl, dbPrefix); // they would pile up run after run
  }
  const lines = [
    `# Wellifiy Messaging benchmark (${quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`,
    '',
    `One machine holding every service${replicas > 1 ? ` (${replicas} replicas of each, and of the gateway)` : ''}, the broker, Redis and the database. Took ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
  ];
  for (const s of report) {
    lines.push(`## ${s.section}`, '', '| figure | measured | bar (DESIGN §7) |', '|---|---|---|', ...s.rows.map((r) => `| ${r.join(' | ')} |`), '');
  }
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  writeFileSync(path.resolve(root, args.out ?? 'reports/benchmark.md'), text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
