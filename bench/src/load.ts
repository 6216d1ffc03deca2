import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Histogram, openLoop } from './histogram';
import { Member } from './seed';
import { cpuSeconds, cpuShare, Ctx, dbCounts, http, perMessage, settle } from './system';

/** send→ack (HTTP 201) and send→delivered to the last member socket, at a fixed arrival rate. */
export async function loadAt(ctx: Ctx, channels: { id: string; members: Member[] }[], rate: number, seconds: number) {
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
