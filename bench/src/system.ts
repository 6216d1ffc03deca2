import amqp from 'amqplib';
import { readdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Topology } from '@wellifiy/contracts';
import { GatewayClient, REPLICA_PORT_STRIDE } from '@wellifiy/testing';

export interface Ctx {
  /** The first gateway; `gateways` are all of them (one per replica), which the load spreads over. */
  gateway: string;
  gateways: string[];
  amqpUrl: string;
  secret: string;
  orgId: string;
}

/** Database commands every back-end service has sent so far, from their /metrics (db_commands_total). */
export interface DbCounts {
  commands: number;
  writes: number;
  /** Sum of round-trip seconds of all commands. */
  seconds: number;
  byService: Record<string, { commands: number; writes: number }>;
  /** `service collection.command` → count */
  byCommand: Record<string, number>;
  /** `service collection.command` → round-trip seconds */
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
export function gatewaysFrom(first: string, n: number): string[] {
  const url = new URL(first);
  return Array.from({ length: n }, (_v, r) => `${url.protocol}//${url.hostname}:${Number(url.port) + REPLICA_PORT_STRIDE * r}`);
}

let nextGateway = 0;
/** The gateways take turns, as a load balancer in front of them would spread requests. */
const anyGateway = (ctx: Ctx): string => ctx.gateways[nextGateway++ % ctx.gateways.length];

export async function dbCounts(ctx: Ctx): Promise<DbCounts> {
  const out: DbCounts = { commands: 0, writes: 0, seconds: 0, byService: {}, byCommand: {}, secondsByCommand: {} };
  for (const url of serviceMetricUrls(ctx)) {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      const m = /^db_commands_total\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
      const t = /^db_command_seconds_sum\{([^}]*)\} ([\d.e+-]+)$/.exec(line);
      if (t) {
        out.seconds += Number(t[2]);
        const l = Object.fromEntries([...t[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        const key = `${l.service} ${l.collection ? `${l.collection}.` : ''}${l.command}`;
        out.secondsByCommand[key] = (out.secondsByCommand[key] ?? 0) + Number(t[2]);
      }
      if (!m) continue;
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const n = Number(m[2]);
      const svc = (out.byService[labels.service] ??= { commands: 0, writes: 0 });
      out.commands += n;
      svc.commands += n;
      const key = `${labels.service} ${labels.collection ? `${labels.collection}.` : ''}${labels.command}`;
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
export async function cpuSeconds(ctx: Ctx): Promise<Map<string, number>> {
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
export function cpuShare(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  return [...after.entries()]
    .map(([name, v]) => [name, (100 * (v - (before.get(name) ?? 0))) / seconds] as const)
    .filter(([, pct]) => pct >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, pct]) => `${name} ${pct.toFixed(0)} %`)
    .join(', ');
}

/** Database work per message between two readings. */
export function perMessage(before: DbCounts, after: DbCounts, messages: number): { commands: number; writes: number; ms: number; writesBy: string; commandsBy: string } {
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

const clients = new Map<string, GatewayClient>();
/** A client of the next gateway in turn (anyGateway). */
export function anyGatewayClient(ctx: Ctx): GatewayClient {
  const url = anyGateway(ctx);
  let client = clients.get(url);
  if (!client) clients.set(url, (client = new GatewayClient(url)));
  return client;
}

export async function http<T>(ctx: Ctx, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await anyGatewayClient(ctx).request<T>(method, p, { token, body });
  return { status: res.status, body: res.body };
}

export async function publish(ctx: Ctx, events: { type: string; data: unknown }[]): Promise<void> {
  const conn = await amqp.connect(ctx.amqpUrl);
  const ch = await conn.createConfirmChannel();
  for (const e of events) {
    const envelope = { id: `evt_${randomUUID()}`, type: e.type, source: 'bench', time: new Date().toISOString(), orgId: ctx.orgId, data: e.data };
    ch.publish('wellifiy.events', e.type, Buffer.from(JSON.stringify(envelope)), { persistent: true, contentType: 'application/json' });
  }
  await ch.waitForConfirms();
  await conn.close();
}

export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until the system is idle: every back-end service's event queue empty and no database commands for a
 * moment. Each phase starts from rest, so it never pays for the previous phase's backlog.
 */
export async function settle(ctx: Ctx): Promise<void> {
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
