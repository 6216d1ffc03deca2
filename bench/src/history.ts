import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { KeyRing } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, testInfra } from '@wellifiy/testing';
import { Histogram } from './histogram';
import { fmt, report } from './report';
import { Member } from './seed';
import { Ctx, http } from './system';

/** Levels of stored messages the reads are measured at (those up to --history), then --history itself. */
const LEVELS = [10_000, 100_000, 1_000_000];
const INSERT_BATCH = 1000;
/** The messages service's timeline bucket (message.schema.ts: floor(seq / 128)). */
const SEQ_BUCKET = 128;

export function historyLevels(max: number): number[] {
  return [...new Set([...LEVELS.filter((n) => n < max), max])].filter((n) => n > 0);
}

interface HistoryInput {
  ctx: Ctx;
  /** `<dbPrefix>-messages` and `<dbPrefix>-notifications` are the system's databases. */
  dbPrefix: string;
  /** A group channel of the seeded organisation (no patient: its content is sealed under the master ring). */
  channel: { id: string; members: Member[] };
  /**
   * Where the sends go: another channel, since the messages service's hint of the history channel's top seq
   * does not know of the history written behind its back.
   */
  sendChannel: { id: string; members: Member[] };
  max: number;
  samples: number;
}

/**
 * Stored data must not make reads or sends slower (issue 13, item 4). Fills one channel with history written
 * straight into the messages database in the service's own stored shape (sealed body, seq, timeline bucket,
 * cleared outbox) — much faster than sending it — and tells the notifications projection the channel's last seq.
 * At each level: catch-up of 100 messages, the newest page and the unread summary in that channel, and a send
 * (elsewhere in the organisation), through the gateway, one at a time.
 */
export async function historyPhase({ ctx, dbPrefix, channel, sendChannel, max, samples }: HistoryInput): Promise<void> {
  const ring = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
  const client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
  const messages = client.db(`${dbPrefix}-messages`).collection('messages');
  const channelStates = client.db(`${dbPrefix}-notifications`).collection('channel_states');
  const [sender, reader] = channel.members;
  if (!sender || !reader) throw new Error('the history channel needs two members');
  const rows: [string, string, string][] = [];
  // Whatever was already sent in the channel comes first.
  const page = await http<{ messages: { seq: number }[] }>(ctx, 'GET', `/v1/channels/${channel.id}/messages?limit=1`, reader.token);
  let stored = page.body.messages[0]?.seq ?? 0;
  try {
    for (const level of historyLevels(max)) {
      const t0 = performance.now();
      const added = level - stored;
      while (stored < level) {
        const docs = [];
        for (let i = 0; i < INSERT_BATCH && stored < level; i++) {
          const seq = ++stored;
          const id = `msg_${randomUUID().replace(/-/g, '')}`;
          docs.push({
            _id: id, orgId: ctx.orgId, channelId: channel.id, seq, bucket: Math.floor(seq / SEQ_BUCKET),
            senderId: sender.userId, senderKind: 'team_member', clientMessageId: `h-${seq}`,
            body: ring.encrypt(`history ${seq}`, `message-body:${id}`), sealedFor: null, threadId: null,
            createdAt: new Date(), outbox: [],
          });
        }
        await messages.insertMany(docs as never[], { ordered: false });
      }
      await channelStates.updateOne({ _id: channel.id as never }, { $max: { lastSeq: stored } });
      process.stdout.write(`[bench] history: ${level} stored (${added} added in ${((performance.now() - t0) / 1000).toFixed(0)} s)…\n`);

      const catchUp = new Histogram();
      const newest = new Histogram();
      const badge = new Histogram();
      const send = new Histogram();
      for (let i = 0; i < samples; i++) {
        const t1 = performance.now();
        const r = await http<{ messages: unknown[] }>(ctx, 'GET', `/v1/channels/${channel.id}/messages?after=${stored - 100}&limit=100`, reader.token);
        if (r.body.messages.length !== 100) throw new Error(`catch-up at ${level} stored returned ${r.body.messages.length} messages`);
        catchUp.record(performance.now() - t1);
        const t2 = performance.now();
        await http(ctx, 'GET', `/v1/channels/${channel.id}/messages?limit=50`, reader.token);
        newest.record(performance.now() - t2);
        const t3 = performance.now();
        await http(ctx, 'GET', '/v1/me/badge', reader.token);
        badge.record(performance.now() - t3);
        const t4 = performance.now();
        const s = await http(ctx, 'POST', `/v1/channels/${sendChannel.id}/messages`, sendChannel.members[0].token, { clientMessageId: `hs-${randomUUID()}`, body: `at ${level}` });
        if (s.status !== 201) throw new Error(`send at ${level} stored answered ${s.status}`);
        send.record(performance.now() - t4);
      }
      const p = (h: Histogram): string => `${fmt(h.percentile(50))} / ${fmt(h.percentile(99))}`;
      rows.push([`${level.toLocaleString('en')} stored: catch-up of 100 p50 / p99`, p(catchUp), 'p99 ≤ 100 ms, flat']);
      rows.push([`${level.toLocaleString('en')} stored: newest page (50) p50 / p99`, p(newest), 'flat']);
      rows.push([`${level.toLocaleString('en')} stored: unread summary p50 / p99`, p(badge), 'p99 ≤ 15 ms, flat']);
      rows.push([`${level.toLocaleString('en')} stored: send→ack p50 / p99`, p(send), 'flat']);
    }
  } finally {
    await client.close();
  }
  report.push({ section: `(g) cost with stored history (one channel; ${samples} samples per level, one at a time)`, rows });
}
