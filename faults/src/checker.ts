import amqp from 'amqplib';
import { Topology } from '@wellifiy/contracts';
import { callAny, StoredMessage } from './clients';
import { EventTap } from './event-tap';
import { RowResult } from './fault-names';
import { sleep } from './infra';
import { SuiteBroker } from './rabbit-cluster';
import { World } from './world';

export const rowPassed = (r: RowResult): boolean => r.lost === 0 && r.duplicated === 0 && r.outOfOrder === 0 && r.problems.length === 0;

// Bounded in length and age; its unbounded predecessor was 'wellifiy.dead-letter' (libs/messaging topology.ts).
const DEAD_LETTER_QUEUE = Topology.deadLetterQueue;

/** Poison messages the suite published, by AMQP message id; each must reach the dead-letter queue with a reason. */
export interface PoisonLedger {
  expected: Map<string, string>;
  /** Every dead letter seen so far: message id → reason. */
  seen: Map<string, string>;
}

async function eventually(timeoutMs: number, fn: () => Promise<string[]>): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let problems = await fn();
  while (problems.length && Date.now() < deadline) {
    await sleep(500);
    problems = await fn();
  }
  return problems;
}

async function storedTimeline(world: World, channelId: string): Promise<StoredMessage[] | null> {
  const member = world.channels.find((c) => c.id === channelId)?.members[0];
  if (!member) return null;
  const all: StoredMessage[] = [];
  for (let page = 0; page < 200; page++) {
    const after = all.at(-1)?.seq ?? 0;
    const res = await callAny<{ messages: StoredMessage[]; hasMore: boolean }>(world.gatewayUrls, 'GET', `/v1/channels/${channelId}/messages?after=${after}&limit=100`, member.token);
    if (res.status !== 200) return null;
    all.push(...res.body.messages);
    if (!res.body.hasMore) return all;
  }
  return all;
}

type AuditPage = { entries: { messageId: string | null }[]; nextCursor: string | null };

/** Ids of the messages the audit trail has a `message.sent` entry for, in one channel since `from` (every page). */
async function auditedSends(world: World, channelId: string, from: Date): Promise<Set<string> | null> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const q: URLSearchParams = new URLSearchParams({ channelId, action: 'message.sent', from: from.toISOString(), limit: '200', ...(cursor ? { cursor } : {}) });
    const res: { status: number; body: AuditPage } = await callAny<AuditPage>(world.gatewayUrls, 'GET', `/v1/admin/audit?${q.toString()}`, world.auditorToken);
    if (res.status !== 200) return null;
    for (const e of res.body.entries) if (e.messageId) ids.add(e.messageId);
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  return ids;
}

/**
 * What the clients see once a fault is over and the load has stopped: every acknowledged message stored
 * and shown exactly once, in seq order, by every member's app; unread counts as the timelines imply; no
 * digest that counts more than was unread; every queue drained; dead letters only the poison, each with a reason.
 */
export async function checkRow(
  world: World,
  rabbit: SuiteBroker,
  tap: EventTap,
  fault: string,
  recoveryMs: number | null,
  poison: PoisonLedger,
  problems: string[],
): Promise<RowResult> {
  const rowSends = world.sends.filter((s) => s.row === fault);
  const acked = rowSends.filter((s) => s.id);
  const memberClients = (channelId: string) => world.clients.filter((c) => c.views.has(channelId));

  // Delivery: clients catch up (as on reconnect) until every acknowledged message is shown, or time is up.
  const missing = (): typeof acked =>
    acked.filter((s) => memberClients(s.channelId).some((c) => !c.has(s.channelId, s.id as string)));
  await eventually(60_000, async () => {
    if (!missing().length) return [];
    await Promise.all(world.clients.flatMap((c) => [...c.views.keys()].map((id) => c.catchUp(id))));
    return missing().length ? ['undelivered'] : [];
  });
  const lostSet = new Set(missing().map((s) => s.id));
  // Announced: a message.created event on the broker for each (the outbox relay's work; catch-up alone would hide its loss).
  const unannounced = (): typeof acked => acked.filter((s) => !tap.announced.has(s.id as string));
  await eventually(30_000, async () => (unannounced().length ? ['unannounced'] : []));
  if (unannounced().length) problems.push(`${unannounced().length} acknowledged message(s) never announced by message.created, e.g. ${unannounced()[0].id}`);

  // Audit: every acknowledged send has its message.sent entry in the trail, read through the gateway as an officer.
  const since = new Date(Math.min(Date.now(), ...acked.map((s) => s.startedAt)) - 5_000);
  const unaudited = async (): Promise<typeof acked> => {
    const out: typeof acked = [];
    for (const channelId of new Set(acked.map((s) => s.channelId))) {
      const ids = await auditedSends(world, channelId, since);
      out.push(...acked.filter((s) => s.channelId === channelId && !ids?.has(s.id as string)));
    }
    return out;
  };
  let notAudited: typeof acked = [];
  await eventually(30_000, async () => ((notAudited = await unaudited()).length ? ['unaudited'] : []));
  if (notAudited.length) problems.push(`${notAudited.length} acknowledged message(s) without their audit entry, e.g. ${notAudited[0]?.id}`);

  // Storage: each acknowledged message under the seq its ack named; seqs 1..n without gaps; no clientMessageId twice.
  let outOfOrder = 0;
  let duplicated = 0;
  const disorder = (what: string): void => {
    if (outOfOrder++ === 0) problems.push(`out of order: ${what}`);
  };
  const timelines = new Map<string, StoredMessage[]>();
  for (const channel of world.channels) {
    const t = await storedTimeline(world, channel.id);
    if (!t) {
      problems.push(`timeline of ${channel.id} unreadable`);
      continue;
    }
    timelines.set(channel.id, t);
    t.forEach((m, i) => {
      if (m.seq !== i + 1) disorder(`stored seq ${m.seq} at position ${i + 1} of ${channel.id}`);
    });
    const byClientId = new Map<string, number>();
    for (const m of t) if (m.clientMessageId) byClientId.set(`${m.senderId}/${m.clientMessageId}`, (byClientId.get(`${m.senderId}/${m.clientMessageId}`) ?? 0) + 1);
    for (const s of rowSends) duplicated += Math.max(0, (byClientId.get(`${s.senderId}/${s.clientMessageId}`) ?? 0) - 1);
    const ids = new Map(t.map((m) => [m.id, m]));
    for (const s of acked.filter((a) => a.channelId === channel.id)) {
      const m = ids.get(s.id as string);
      if (!m) lostSet.add(s.id);
      else if (m.seq !== s.seq) disorder(`${s.id} acknowledged with seq ${s.seq}, stored with ${m.seq}`);
    }
  }
  // A message sent after the same sender's earlier one was acknowledged never gets an earlier seq.
  const ackedAll = world.sends.filter((x) => x.id);
  for (const s of acked) {
    const before = ackedAll.filter((e) => e.channelId === s.channelId && e.senderId === s.senderId && (e.ackedAt as number) < s.startedAt);
    const latest = before.reduce((m, e) => Math.max(m, e.seq as number), 0);
    if ((s.seq as number) <= latest) disorder(`${s.id} (seq ${s.seq}) sent after its sender's seq ${latest} was acknowledged`);
  }
  // The clients' own view: duplicates on one live connection, and anything shown out of seq order.
  const rowIds = new Set(acked.map((s) => s.id));
  for (const c of world.clients) {
    for (const [id, n] of c.socketDuplicates) if (rowIds.has(id)) duplicated += n;
    for (const [id, n] of c.disorder) if (rowIds.has(id)) for (let i = 0; i < n; i++) disorder(`${c.user.userId}'s app showed ${id} out of seq order`);
  }
  const delivered = acked.filter((s) => !lostSet.has(s.id)).length;

  // Unread counts: for each member, the others' messages after its own last message (nobody marks read here).
  problems.push(
    ...(await eventually(30_000, async () => {
      const wrong: string[] = [];
      for (const u of world.users) {
        const res = await callAny<{ channels: { channelId: string; unread: number }[] }>(world.gatewayUrls, 'GET', '/v1/me/badge', u.token);
        if (res.status !== 200) {
          wrong.push(`badge of ${u.userId}: HTTP ${res.status}`);
          continue;
        }
        for (const [channelId, t] of timelines) {
          if (!world.channels.find((c) => c.id === channelId)?.members.includes(u)) continue;
          const ownLast = Math.max(0, ...t.filter((m) => m.senderId === u.userId).map((m) => m.seq));
          const expected = t.filter((m) => m.seq > ownLast && m.senderId !== u.userId).length;
          const actual = res.body.channels.find((c) => c.channelId === channelId)?.unread;
          if (actual !== expected) wrong.push(`unread of ${u.userId} in ${channelId}: ${actual} (expected ${expected})`);
        }
      }
      return wrong.length ? [`${wrong.length} unread count(s) wrong, e.g. ${wrong[0]}`] : [];
    })),
  );

  // Digests: never the same unread messages twice, so the counts emailed to a user add up to at most what others sent them.
  for (const u of world.users.filter((x) => x.email)) {
    const emailed = world.inbox.emails.filter((e) => e.to === u.email).reduce((n, e) => n + e.count, 0);
    const fromOthers = [...timelines.entries()]
      .filter(([id]) => world.channels.find((c) => c.id === id)?.members.includes(u))
      .reduce((n, [, t]) => n + t.filter((m) => m.senderId !== u.userId).length, 0);
    if (Number.isNaN(emailed) || emailed > fromOthers) problems.push(`digests to ${u.userId} counted ${emailed} unread messages, only ${fromOthers} were sent to them`);
  }

  problems.push(...(await checkQueues(rabbit, poison)));
  return {
    fault,
    sent: rowSends.length,
    acknowledged: acked.length,
    delivered,
    lost: lostSet.size,
    duplicated,
    outOfOrder,
    recoveryMs,
    retried: rowSends.filter((s) => s.attempts > 1).length,
    failures: rowSends.flatMap((s) => s.failures).reduce<Record<string, number>>((m, st) => ({ ...m, [st]: (m[st] ?? 0) + 1 }), {}),
    problems,
  };
}

/** Every queue empty (nothing ready, nothing unacknowledged) but the dead-letter queue, whose messages must all be known poison with a reason. */
export async function checkQueues(rabbit: SuiteBroker, poison: PoisonLedger): Promise<string[]> {
  const problems = await eventually(30_000, async () => {
    const busy = [...rabbit.queues().entries()].filter(([name, q]) => name !== DEAD_LETTER_QUEUE && (q.ready > 0 || q.unacked > 0));
    return busy.map(([name, q]) => `queue ${name} not drained (${q.ready} ready, ${q.unacked} unacked)`);
  });
  const conn = await amqp.connect(rabbit.url);
  try {
    const ch = await conn.createChannel();
    for (;;) {
      const msg = await ch.get(DEAD_LETTER_QUEUE, { noAck: true });
      if (!msg) break;
      const id = String(msg.properties.messageId ?? '');
      const reason = msg.properties.headers?.['x-dead-letter-reason'] as string | undefined;
      const death = (msg.properties.headers?.['x-death'] as { reason?: string; queue?: string }[] | undefined)?.[0];
      const why = reason ?? (death ? `broker dead-lettered it from ${death.queue} (${death.reason})` : 'no reason');
      if (!poison.expected.has(id)) problems.push(`dead-lettered a message that was not poison (${id || 'no id'}): ${why}`);
      else if (!reason) problems.push(`dead letter ${id} has no x-dead-letter-reason`);
      poison.seen.set(id, reason ?? '');
    }
  } finally {
    await conn.close();
  }
  return problems;
}
