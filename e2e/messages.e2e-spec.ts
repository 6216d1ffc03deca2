import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { expectEventually, testInfra, tokenFor } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, RealtimeClient } from './support/client';
import { e2eDbName } from './support/system';

/**
 * Issue 5 through the gateway: threaded replies, likes and emoji reactions, edit and delete (own; others'
 * with messaging:manage and a reason), encryption at rest and the read access audit.
 */
describe('messages: threads, reactions, edit and delete, encryption at rest, read audit', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let tm: Awaited<ReturnType<typeof org.teamMember>>;
  let otherTm: Awaited<ReturnType<typeof org.teamMember>>;
  let manager: Awaited<ReturnType<typeof org.teamMember>>;
  let patient: Awaited<ReturnType<typeof org.patient>>;
  let outsider: Awaited<ReturnType<typeof org.teamMember>>;
  let channelId: string;
  let client: mongoose.mongo.MongoClient;

  const send = async (token: string, body: string) => {
    const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, body: { clientMessageId: `c-${randomUUID()}`, body } });
    expect(res.status).toBe(201);
    return res.body as { id: string; seq: number };
  };
  const path = (messageId: string, rest = '') => `/v1/channels/${channelId}/messages/${messageId}${rest}`;

  beforeAll(async () => {
    tm = await org.teamMember();
    otherTm = await org.teamMember();
    manager = await org.teamMember(undefined, ['messaging:manage']);
    outsider = await org.teamMember();
    patient = await org.patient();
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
    for (const user of [otherTm, manager]) {
      const added = await api('POST', `/v1/channels/${channelId}/members`, { token: tm.token, body: { userId: user.userId } });
      expect([200, 201]).toContain(added.status);
    }
    client = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await client?.close();
  });

  describe('threads', () => {
    it('replies join the root (a reply to a reply too), get channel seqs, and the root counts them; realtime announces both', async () => {
      const tmSocket = await connectRealtime(tm.token);
      sockets.push(tmSocket);
      const root = await send(patient.token, 'Question about my medication');

      const r1 = await api('POST', path(root.id, '/replies'), { token: tm.token, body: { clientMessageId: 'r1', body: 'Happy to help' } });
      expect(r1.status).toBe(201);
      expect(r1.body).toMatchObject({ threadId: root.id, seq: root.seq + 1, channelId });
      const retry = await api('POST', path(root.id, '/replies'), { token: tm.token, body: { clientMessageId: 'r1', body: 'Happy to help' } });
      expect(retry.status).toBe(200);
      expect(retry.body.id).toBe(r1.body.id);
      const nested = await api('POST', path(r1.body.id, '/replies'), { token: patient.token, body: { clientMessageId: 'r2', body: 'Thanks!' } });
      expect(nested.status).toBe(201);
      expect(nested.body.threadId).toBe(root.id);

      const page = await api('GET', path(root.id, '/replies?limit=1'), { token: patient.token });
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ messages: [{ id: r1.body.id }], hasMore: true });
      const next = await api('GET', path(root.id, `/replies?after=${page.body.messages[0].seq}`), { token: patient.token });
      expect(next.body).toMatchObject({ messages: [{ id: nested.body.id }], hasMore: false });

      const timeline = await api('GET', `/v1/channels/${channelId}/messages?after=${root.seq - 1}`, { token: tm.token });
      expect(timeline.body.messages.map((m: { id: string }) => m.id)).toEqual([root.id, r1.body.id, nested.body.id]);
      expect(timeline.body.messages[0]).toMatchObject({ replyCount: 2, lastReplyAt: nested.body.createdAt });
      const roots = await api('GET', `/v1/channels/${channelId}/messages?after=${root.seq - 1}&roots=true`, { token: tm.token });
      expect(roots.body.messages.map((m: { id: string }) => m.id)).toEqual([root.id]);

      await expectEventually(() => {
        expect(tmSocket.received('message.created').map((m) => m.id)).toEqual(expect.arrayContaining([root.id, r1.body.id, nested.body.id]));
        const rootUpdates = tmSocket.received('message.updated').filter((m) => m.id === root.id);
        expect(rootUpdates.map((m) => m.replyCount)).toEqual([1, 2]);
      });
    });

    it('bad input: roots must be true/false (400); an unknown message is 404; outsiders get 404', async () => {
      const root = await send(tm.token, 'root');
      expect((await api('GET', `/v1/channels/${channelId}/messages?roots=maybe`, { token: tm.token })).status).toBe(400);
      expect((await api('POST', path('msg_nope', '/replies'), { token: tm.token, body: { clientMessageId: 'x', body: 'x' } })).status).toBe(404);
      expect((await api('GET', path(root.id, '/replies'), { token: outsider.token })).status).toBe(404);
      expect((await api('POST', path(root.id, '/replies'), { token: outsider.token, body: { clientMessageId: 'x', body: 'x' } })).status).toBe(404);
    });
  });

  describe('reactions', () => {
    it('PUT/DELETE are idempotent, counts are per emoji, `me` per viewer, and reaction.updated reaches the room', async () => {
      const patientSocket = await connectRealtime(patient.token);
      sockets.push(patientSocket);
      const msg = await send(tm.token, 'Your results look good');

      const liked = await api('PUT', path(msg.id, '/reactions/like'), { token: patient.token });
      expect(liked.status).toBe(200);
      expect(liked.body.reactions).toEqual([{ emoji: 'like', count: 1, me: true }]);
      const again = await api('PUT', path(msg.id, '/reactions/like'), { token: patient.token });
      expect(again.body.reactions).toEqual([{ emoji: 'like', count: 1, me: true }]);
      const party = await api('PUT', path(msg.id, `/reactions/${encodeURIComponent('🎉')}`), { token: tm.token });
      expect(party.status).toBe(200);
      expect(party.body.reactions).toEqual([{ emoji: 'like', count: 1, me: false }, { emoji: '🎉', count: 1, me: true }]);

      const seenByPatient = await api('GET', `/v1/channels/${channelId}/messages?after=${msg.seq - 1}`, { token: patient.token });
      expect(seenByPatient.body.messages[0].reactions).toEqual([{ emoji: 'like', count: 1, me: true }, { emoji: '🎉', count: 1, me: false }]);

      const removed = await api('DELETE', path(msg.id, '/reactions/like'), { token: patient.token });
      expect(removed.status).toBe(200);
      expect(removed.body.reactions).toEqual([{ emoji: '🎉', count: 1, me: false }]);
      expect((await api('DELETE', path(msg.id, '/reactions/like'), { token: patient.token })).body.reactions).toEqual([{ emoji: '🎉', count: 1, me: false }]);

      await expectEventually(() => {
        const events = patientSocket.received('reaction.updated').filter((e) => e.messageId === msg.id);
        expect(events.map((e) => [e.userId, e.emoji, e.reacted, e.reactions])).toEqual([
          [patient.userId, 'like', true, [{ emoji: 'like', count: 1 }]],
          [tm.userId, '🎉', true, [{ emoji: 'like', count: 1 }, { emoji: '🎉', count: 1 }]],
          [patient.userId, 'like', false, [{ emoji: '🎉', count: 1 }]],
        ]);
      });
    });

    it.each(['hello', '%24where', 'a.b', encodeURIComponent('<b>')])('refuses the reaction %j with 400', async (emoji) => {
      const msg = await send(tm.token, 'react to me');
      const res = await api('PUT', path(msg.id, `/reactions/${emoji}`), { token: patient.token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('an outsider gets 404', async () => {
      const msg = await send(tm.token, 'members only');
      expect((await api('PUT', path(msg.id, '/reactions/like'), { token: outsider.token })).status).toBe(404);
    });
  });

  describe('edit and delete (DESIGN §2 rule 6)', () => {
    it('authors edit their own; others need messaging:manage and a reason; patients never edit others’', async () => {
      const socket = await connectRealtime(otherTm.token);
      sockets.push(socket);
      const tmMsg = await send(tm.token, 'Take 2 tablets');
      const patientMsg = await send(patient.token, 'My number is 555-0100');

      const own = await api('PATCH', path(tmMsg.id), { token: tm.token, body: { body: 'Take 1 tablet' } });
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ body: 'Take 1 tablet', editedBy: 'author', editedAt: expect.any(String) });

      expect((await api('PATCH', path(tmMsg.id), { token: otherTm.token, body: { body: 'x', reason: 'r' } })).status).toBe(403);
      expect((await api('PATCH', path(tmMsg.id), { token: patient.token, body: { body: 'x', reason: 'r' } })).status).toBe(403);
      const noReason = await api('PATCH', path(patientMsg.id), { token: manager.token, body: { body: 'My number is [removed]' } });
      expect(noReason.status).toBe(400);
      expect(noReason.body.message).toMatch(/reason/);

      const staffEdit = await api('PATCH', path(patientMsg.id), { token: manager.token, body: { body: 'My number is [removed]', reason: 'no phone numbers in chat' } });
      expect(staffEdit.status).toBe(200);
      expect(staffEdit.body).toMatchObject({ body: 'My number is [removed]', editedBy: 'staff' });
      const seenByPatient = await api('GET', `/v1/channels/${channelId}/messages?after=${patientMsg.seq - 1}`, { token: patient.token });
      expect(seenByPatient.body.messages[0]).toMatchObject({ id: patientMsg.id, body: 'My number is [removed]', editedBy: 'staff' });

      await expectEventually(() => {
        const updates = socket.received('message.updated').filter((m) => [tmMsg.id, patientMsg.id].includes(m.id));
        expect(updates.map((m) => [m.id, m.body, m.editedBy])).toEqual([
          [tmMsg.id, 'Take 1 tablet', 'author'],
          [patientMsg.id, 'My number is [removed]', 'staff'],
        ]);
      });
    });

    it('deletes are soft: a tombstone for everyone, "removed by staff" when staff did it, and message.deleted in realtime', async () => {
      const socket = await connectRealtime(patient.token);
      sockets.push(socket);
      const own = await send(patient.token, 'oops, wrong chat');
      const other = await send(otherTm.token, 'something inappropriate');

      const mine = await api('DELETE', path(own.id), { token: patient.token });
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ id: own.id, body: '', deleted: true, deletedBy: 'author' });
      expect((await api('DELETE', path(own.id), { token: patient.token })).status).toBe(200);

      expect((await api('DELETE', path(other.id), { token: patient.token })).status).toBe(403);
      expect((await api('DELETE', path(other.id), { token: tm.token })).status).toBe(403);
      expect((await api('DELETE', path(other.id), { token: manager.token })).status).toBe(400);
      const staff = await api('DELETE', `${path(other.id)}?reason=${encodeURIComponent('inappropriate')}`, { token: manager.token });
      expect(staff.status).toBe(200);
      expect(staff.body).toMatchObject({ body: '', deleted: true, deletedBy: 'staff' });

      const timeline = await api('GET', `/v1/channels/${channelId}/messages?after=${own.seq - 1}`, { token: tm.token });
      expect(timeline.body.messages.map((m: { id: string; body: string; deleted?: boolean; deletedBy?: string }) => [m.id, m.body, m.deleted, m.deletedBy])).toEqual([
        [own.id, '', true, 'author'],
        [other.id, '', true, 'staff'],
      ]);
      expect((await api('PATCH', path(own.id), { token: patient.token, body: { body: 'again' } })).status).toBe(409);

      await expectEventually(() => {
        expect(socket.received('message.deleted').filter((e) => [own.id, other.id].includes(e.id))).toEqual([
          { id: own.id, channelId, seq: own.seq, deletedBy: 'author' },
          { id: other.id, channelId, seq: other.seq, deletedBy: 'staff' },
        ]);
      });
    });

    it('an outsider gets 404 for edit and delete', async () => {
      const msg = await send(tm.token, 'private');
      expect((await api('PATCH', path(msg.id), { token: outsider.token, body: { body: 'x' } })).status).toBe(404);
      expect((await api('DELETE', path(msg.id), { token: outsider.token })).status).toBe(404);
    });
  });

  describe('authorization table (rule 1): outsiders and other organisations get 404 on every message action', () => {
    it.each([
      ['GET', '/replies', undefined],
      ['POST', '/replies', { clientMessageId: 'x', body: 'x' }],
      ['PUT', '/reactions/like', undefined],
      ['DELETE', '/reactions/like', undefined],
      ['PATCH', '', { body: 'x', reason: 'r' }],
      ['DELETE', '?reason=r', undefined],
    ])('%s …/:messageId%s', async (method, suffix, body) => {
      const msg = await send(tm.token, 'members only');
      // The same user ids in another organisation, with every permission, see nothing.
      const otherOrgManager = tokenFor({ userId: manager.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'team_member', perms: ['messaging:manage'] });
      const otherOrgPatient = tokenFor({ userId: patient.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'patient' });
      for (const token of [outsider.token, otherOrgManager, otherOrgPatient]) {
        const res = await api(method, path(msg.id, suffix), { token, body });
        expect({ method, suffix, status: res.status }).toEqual({ method, suffix, status: 404 });
      }
      const unchanged = await api('GET', `/v1/channels/${channelId}/messages?after=${msg.seq - 1}`, { token: tm.token });
      expect(unchanged.body.messages[0]).toMatchObject({ id: msg.id, body: 'members only' });
      expect(unchanged.body.messages[0]).not.toHaveProperty('reactions');
    });
  });

  describe('stored data', () => {
    it('encryption at rest: no collection of the messages database holds a body, an edit or a reason in plaintext', async () => {
      const secret = `e2e-secret-${randomUUID()}`;
      const msg = await send(patient.token, `first ${secret}`);
      await api('PATCH', path(msg.id), { token: patient.token, body: { body: `second ${secret}` } });
      await api('DELETE', `${path(msg.id)}?reason=${encodeURIComponent(`because ${secret}`)}`, { token: manager.token });
      const db = client.db(e2eDbName('messages'));
      await expectEventually(async () => {
        const names = (await db.listCollections().toArray()).map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(['messages', 'message_versions', 'message_audit']));
        const stored = await db.collection('messages').findOne({ _id: msg.id as never });
        expect(stored).toMatchObject({ deleted: true, body: { keyId: expect.any(String), ciphertext: expect.any(String) } });
        for (const name of names) {
          const found = JSON.stringify(await db.collection(name).find({}).toArray()).includes(secret);
          expect({ name, found }).toEqual({ name, found: false });
        }
      });
    });

    it('read access audit: who fetched which channel’s messages or thread, when — ids and counts only', async () => {
      const startedAt = new Date();
      const root = await send(tm.token, 'audit me');
      await api('GET', `/v1/channels/${channelId}/messages?after=${root.seq - 1}`, { token: patient.token });
      await api('GET', path(root.id, '/replies'), { token: otherTm.token });
      const log = client.db(e2eDbName('messages')).collection('read_access_log');
      await expectEventually(async () => {
        const rows = await log.find({ channelId, at: { $gte: startedAt } }).toArray();
        expect(rows.map((r) => [r.userId, r.what, r.count])).toEqual(
          expect.arrayContaining([
            [patient.userId, 'timeline', 1],
            [otherTm.userId, 'thread', 0],
          ]),
        );
        const fields = ['_id', 'orgId', 'channelId', 'userId', 'userKind', 'what', 'messageId', 'count', 'fromSeq', 'toSeq', 'at', 'outbox', 'outboxAt', 'outboxPending'];
        expect(rows.every((r) => Object.keys(r).every((k) => fields.includes(k)))).toBe(true);
        // The outbox holds the row's audit.recorded event until it is relayed: sealed, never plain data.
        expect(rows.flatMap((r) => (r.outbox ?? []) as { data?: unknown }[]).filter((e) => e.data !== undefined)).toEqual([]);
      });
    });
  });
});
