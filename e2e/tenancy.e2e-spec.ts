import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, Org, publishInbound, RealtimeClient } from './support/client';

/**
 * Item 1 of the security issue: user ids are unique only within an organisation, so two organisations may hold
 * the very same ids. Here they do — the same manager, team members and patient ids in org A and org B, each a
 * member of real channels of their own organisation — and nothing of one organisation may reach the other:
 * not over REST, not as a socket event (channel lifecycle, membership, messages, reactions, badges, receipts,
 * typing, staffing alerts), and no socket may act in the other organisation's channels.
 */
type User = { userId: string; orgId: string; token: string };
const MANAGE = 'messaging:manage';
const short = (): string => randomUUID().slice(0, 8);

interface Side {
  org: Org;
  manager: User;
  tm: User;
  tm2: User;
  pt: User;
  leaving: User;
  care: string;
  sockets: Record<'manager' | 'tm' | 'tm2' | 'pt', RealtimeClient>;
}

const ids = { manager: `tm_mgr_${short()}`, tm: `tm_${short()}`, tm2: `tm_${short()}`, pt: `pt_${short()}`, leaving: `tm_leaving_${short()}` };

async function side(): Promise<Omit<Side, 'sockets'>> {
  const org = newOrg();
  const manager = await org.teamMember(ids.manager, [MANAGE]);
  const tm = await org.teamMember(ids.tm);
  const tm2 = await org.teamMember(ids.tm2);
  const pt = await org.patient(ids.pt);
  const leaving = await org.teamMember(ids.leaving);
  const activated = await api('POST', `/v1/patients/${pt.userId}/channels/care_team/activate`, { token: tm.token });
  expect(activated.status).toBe(200);
  return { org, manager, tm, tm2, pt, leaving, care: activated.body.id };
}

async function connectAll(s: Omit<Side, 'sockets'>): Promise<Side['sockets']> {
  const [manager, tm, tm2, pt] = await Promise.all([s.manager, s.tm, s.tm2, s.pt].map((u) => connectRealtime(u.token)));
  return { manager, tm, tm2, pt };
}

async function send(by: User, channelId: string, body: string): Promise<{ id: string; seq: number }> {
  const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: by.token, body: { clientMessageId: randomUUID(), body } });
  expect(res.status).toBe(201);
  return res.body;
}

/** Every event a socket received that names one of `needles` (channel or message ids, bodies). */
const mentioning = (s: RealtimeClient, needles: string[]): { name: string; payload: unknown }[] =>
  s.events.filter((e) => needles.some((n) => JSON.stringify(e.payload ?? null).includes(n)));

describe('item 1 (tenancy): the same user ids in two organisations share nothing', () => {
  let A: Side;
  let B: Side;
  const all = (s: Side): RealtimeClient[] => Object.values(s.sockets);
  /** Ids and bodies of org A's activity, filled in as the test makes it. */
  const aNeedles: string[] = [];
  const bNeedles: string[] = [];

  beforeAll(async () => {
    const [a, b] = [await side(), await side()];
    expect(a.org.orgId).not.toBe(b.org.orgId);
    expect([a.tm.userId, a.pt.userId, a.manager.userId]).toEqual([b.tm.userId, b.pt.userId, b.manager.userId]);
    A = { ...a, sockets: await connectAll(a) };
    B = { ...b, sockets: await connectAll(b) };
    aNeedles.push(A.care);
    bNeedles.push(B.care);
    // The messages service learns memberships from events: wait until both care channels are readable.
    for (const s of [A, B]) {
      await expectEventually(async () => expect((await api('GET', `/v1/channels/${s.care}/messages`, { token: s.tm.token })).status).toBe(200));
    }
  });

  afterAll(() => [A, B].filter(Boolean).forEach((s) => all(s).forEach((c) => c.close())));

  it('item 1: channel.created and member.added of org A make no socket of org B join or hear of the channel', async () => {
    const group = await api('POST', '/v1/channels', { token: A.manager.token, body: { type: 'group', name: 'A only', memberIds: [A.pt.userId, A.tm.userId] } });
    expect(group.status).toBe(201);
    aNeedles.push(group.body.id);
    const added = await api('POST', `/v1/channels/${A.care}/members`, { token: A.tm.token, body: { userId: A.tm2.userId } });
    expect(added.status).toBe(200);

    await expectEventually(() => expect(A.sockets.pt.received('channel.created').map((e) => e.channelId)).toContain(group.body.id));
    await expectEventually(() => expect(A.sockets.tm2.received('member.added')).toContainEqual(expect.objectContaining({ channelId: A.care, userId: A.tm2.userId })));
    await expectNever(() => all(B).some((s) => mentioning(s, aNeedles).length > 0), { forMs: 500, what: "a socket of org B heard of org A's channel" });
  });

  it('item 1: message.created/updated/deleted and reaction.updated of org A reach org A only (bodies included)', async () => {
    const body = `A-secret-${short()}`;
    const msg = await send(A.tm, A.care, body);
    aNeedles.push(msg.id, body);
    const path = `/v1/channels/${A.care}/messages/${msg.id}`;
    expect((await api('PATCH', path, { token: A.tm.token, body: { body: `${body}-edited` } })).status).toBe(200);
    expect((await api('PUT', `${path}/reactions/like`, { token: A.pt.token })).status).toBe(200);
    const last = await send(A.tm, A.care, `${body}-second`);
    expect((await api('DELETE', `/v1/channels/${A.care}/messages/${last.id}`, { token: A.tm.token })).status).toBe(200);
    aNeedles.push(last.id);

    for (const name of ['message.created', 'message.updated', 'reaction.updated', 'message.deleted']) {
      await expectEventually(() => expect(A.sockets.pt.received(name).length).toBeGreaterThan(0));
    }
    expect(A.sockets.tm2.received('message.created').map((m) => m.body)).toContain(body);
    await expectNever(() => all(B).some((s) => mentioning(s, aNeedles).length > 0), { forMs: 500, what: "a socket of org B got org A's message events" });
  });

  it("item 1: badges and receipts of org A's users reach the same-id users of org A only; org B's badge counts only org B", async () => {
    await send(A.tm, A.care, 'unread for the patient');
    await expectEventually(() => expect(A.sockets.pt.received('badge.updated').some((b) => b.channelId === A.care && b.unread > 0)).toBe(true));
    const read = await api('POST', `/v1/channels/${A.care}/read`, { token: A.pt.token, body: { seq: 1 } });
    expect(read.status).toBe(200);
    await expectEventually(() => expect(A.sockets.tm.received('receipt.updated')).toContainEqual(expect.objectContaining({ channelId: A.care, userId: A.pt.userId })));

    await expectNever(() => all(B).some((s) => s.received('badge.updated').length + s.received('receipt.updated').length > 0), {
      forMs: 500,
      what: "a socket of org B got a badge or receipt of org A's activity",
    });
    const badgeB = await api('GET', '/v1/me/badge', { token: B.pt.token });
    expect(badgeB.status).toBe(200);
    expect(badgeB.body.total).toBe(0);
    expect(JSON.stringify(badgeB.body)).not.toContain(A.care);
  });

  it('item 1: typing in org A reaches org A only; a socket of org B cannot type into a channel of org A', async () => {
    A.sockets.tm.socket.emit('typing', { channelId: A.care });
    await expectEventually(() => expect(A.sockets.pt.received('typing')).toContainEqual({ channelId: A.care, userId: A.tm.userId }));
    // Same user ids, other organisation: org B's tm2 names org A's channel (A's tm2 is a member of it, B's is not).
    for (const s of all(B)) s.socket.emit('typing', { channelId: A.care });
    await expectNever(
      () => all(B).some((s) => s.received('typing').length > 0) || A.sockets.pt.received('typing').some((t) => t.userId !== A.tm.userId),
      { forMs: 700, what: 'typing crossed organisations' },
    );
  });

  it("item 1: a per-user archive and a staffing alert of org A reach org A's sockets only", async () => {
    expect((await api('POST', `/v1/channels/${A.care}/archive`, { token: A.pt.token })).status).toBe(200);
    await expectEventually(() => expect(A.sockets.pt.received('channel.updated')).toContainEqual({ channelId: A.care, archived: true }));

    const staff = await api('POST', '/v1/channels', { token: A.leaving.token, body: { type: 'staff', patientId: A.pt.userId, memberIds: [] } });
    expect(staff.status).toBe(201);
    aNeedles.push(staff.body.id);
    await publishInbound('team-member.archived', A.org.orgId, { teamMemberId: A.leaving.userId });
    await expectEventually(() => expect(A.sockets.manager.received('channel.needs_staffing')).toContainEqual({ channelId: staff.body.id, type: 'staff' }), { timeoutMs: 20_000 });

    await expectNever(() => all(B).some((s) => mentioning(s, aNeedles).length > 0), { forMs: 500, what: "a socket of org B heard of org A's archive or staffing alert" });
    // Archiving org A's leaver ends nothing in org B: the same id still works there.
    expect((await api('GET', '/v1/channels', { token: B.leaving.token })).status).toBe(200);
  });

  it("item 1: org B's activity reaches org B only (the other direction)", async () => {
    const body = `B-secret-${short()}`;
    const msg = await send(B.tm, B.care, body);
    bNeedles.push(msg.id, body);
    await expectEventually(() => expect(B.sockets.pt.received('message.created').map((m) => m.body)).toContain(body));
    await expectNever(() => all(A).some((s) => mentioning(s, bNeedles).length > 0), { forMs: 500, what: "a socket of org A got org B's message" });
  });

  it('item 1: over REST, the same-id user of org B sees and reaches nothing of org A', async () => {
    const list = await api('GET', '/v1/channels', { token: B.tm.token });
    expect(list.status).toBe(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual([B.care]);
    for (const [method, path, body] of [
      ['GET', `/v1/channels/${A.care}`],
      ['GET', `/v1/channels/${A.care}/members`],
      ['GET', `/v1/channels/${A.care}/messages`],
      ['POST', `/v1/channels/${A.care}/messages`, { clientMessageId: randomUUID(), body: 'cross-org' }],
      ['POST', `/v1/channels/${A.care}/read`, { seq: 1 }],
      ['GET', `/v1/channels/${A.care}/receipts`],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await api(method, path, { token: B.tm.token, body })).status]).toEqual([method, path, 404]);
    }
  });
});
