import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { expectEventually, testInfra, TINY_PNG } from '@wellifiy/testing';
import { api, newOrg } from './support/client';
import { e2eDbName, gatewayUrl } from './support/system';

type User = { userId: string; orgId: string; token: string };
type Entry = {
  id: string; at: string; actorId: string; action: string; channelId: string | null; patientId: string | null; targetUserId: string | null;
  messageId: string | null; mediaId: string | null; fromSeq: number | null; toSeq: number | null; reason: string | null;
};

/** The compliance officer's audit trail (DESIGN §7: every write and read audited durably, queryable by audit:read). */
describe('audit trail: durable and queryable by audit:read', () => {
  const org = newOrg();
  const elsewhere = newOrg();
  let mongo: mongoose.mongo.MongoClient;
  let auditor: User;
  let manager: User;
  let tm: User;
  let patient: User;
  let otherAuditor: User;
  let channelId: string;
  let startedAt: string;

  const query = async (by: User, params: Record<string, string | number>): Promise<{ status: number; body: any }> =>
    api('GET', `/v1/admin/audit?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`, { token: by.token });
  const changes = (entries: Entry[]): Entry[] => entries.filter((e) => e.action !== 'audit.queried');

  beforeAll(async () => {
    mongo = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
    startedAt = new Date().toISOString();
    auditor = await org.teamMember(undefined, ['audit:read']);
    manager = await org.teamMember(undefined, ['messaging:manage']);
    tm = await org.teamMember();
    patient = await org.patient();
    otherAuditor = await elsewhere.teamMember(auditor.userId, ['audit:read']);
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
    const added = await api('POST', `/v1/channels/${channelId}/members`, { token: tm.token, body: { userId: manager.userId } });
    expect(added.status).toBe(200);
    await expectEventually(async () => {
      const page = await query(auditor, { channelId });
      expect(changes(page.body.entries).map((e) => e.action)).toEqual(expect.arrayContaining(['channel.created', 'channel.member.added']));
    });
  });

  afterAll(async () => {
    await mongo?.close();
  });

  it('permission table: only audit:read reads the trail (patient, team member, manager 403; officer 200; other organisation sees none of it)', async () => {
    const statuses = {
      patient: (await query(patient, { channelId })).status,
      teamMember: (await query(tm, { channelId })).status,
      managerWithoutAuditRead: (await query(manager, { channelId })).status,
      complianceOfficer: (await query(auditor, { channelId })).status,
      otherOrgOfficer: (await query(otherAuditor, { channelId })).status,
    };
    expect(statuses).toEqual({ patient: 403, teamMember: 403, managerWithoutAuditRead: 403, complianceOfficer: 200, otherOrgOfficer: 200 });
    // Its only entries naming this channel id are its own officer's queries (audit.queried of its own organisation).
    expect(changes((await query(otherAuditor, { channelId })).body.entries)).toEqual([]);
    const ours = new Set(((await query(auditor, { limit: 200 })).body.entries as Entry[]).map((e) => e.id));
    const theirs = (await query(otherAuditor, { limit: 200 })).body.entries as Entry[];
    expect(theirs.filter((e) => ours.has(e.id) || e.actorId !== otherAuditor.userId)).toEqual([]);
  });

  it('filters: channelId, patientId, actorId, action, from and to each narrow the trail', async () => {
    const byChannel = changes((await query(auditor, { channelId })).body.entries);
    expect(byChannel.length).toBeGreaterThanOrEqual(2);
    expect(byChannel.every((e) => e.channelId === channelId)).toBe(true);

    const byPatient = changes((await query(auditor, { patientId: patient.userId })).body.entries);
    expect(byPatient.map((e) => e.id).sort()).toEqual(byChannel.map((e) => e.id).sort());

    const added = (await query(auditor, { channelId, action: 'channel.member.added' })).body.entries as Entry[];
    expect(added.map((e) => e.targetUserId)).toContain(manager.userId);
    expect(added.every((e) => e.action === 'channel.member.added')).toBe(true);

    const byActor = (await query(auditor, { actorId: tm.userId })).body.entries as Entry[];
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actorId === tm.userId)).toBe(true);

    expect(changes((await query(auditor, { channelId, from: startedAt })).body.entries)).toHaveLength(byChannel.length);
    expect((await query(auditor, { channelId, to: startedAt })).body.entries).toEqual([]);
    expect((await query(auditor, { channelId, patientId: `pt_nobody${randomUUID().slice(0, 6)}` })).body.entries).toEqual([]);
  });

  it('cursor paging: limit=1 walks the channel trail newest first without repeats and ends with nextCursor null', async () => {
    const all = changes((await query(auditor, { channelId, action: 'channel.member.added', limit: 200 })).body.entries);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const page = await query(auditor, { channelId, action: 'channel.member.added', limit: 1, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.entries.map((e: Entry) => e.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it.each([
    [{ limit: 201 }, 'limit'],
    [{ limit: 0 }, 'limit'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: 'not-a-date' }, 'to'],
    [{ cursor: 'garbage' }, 'cursor'],
  ])('bad input %p is a 400 naming %s', async (params, field) => {
    const res = await query(auditor, params);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
  });

  it('durable audit: each query of the trail is an audit.queried entry already in the database when the answer arrives', async () => {
    const res = await query(auditor, { channelId, actorId: tm.userId });
    expect(res.status).toBe(200);
    // No waiting: what a crash right after the answer would leave is what is stored now.
    const stored = await mongo.db(e2eDbName('channels')).collection('audit_log')
      .find({ orgId: org.orgId, action: 'audit.queried', actorId: auditor.userId, channelId, targetUserId: tm.userId }).toArray();
    expect(stored.length).toBeGreaterThanOrEqual(1);
    const listed = (await query(auditor, { action: 'audit.queried', actorId: auditor.userId })).body.entries as Entry[];
    expect(listed.map((e) => e.id)).toEqual(expect.arrayContaining(stored.map((d) => String(d._id))));
  });

  it('durable audit: a message page read is in the read access log when the answer arrives (no in-memory batch)', async () => {
    await expectEventually(async () => expect((await api('GET', `/v1/channels/${channelId}/messages`, { token: manager.token })).status).toBe(200));
    const before = new Date();
    const read = await api('GET', `/v1/channels/${channelId}/messages`, { token: patient.token });
    expect(read.status).toBe(200);
    const rows = await mongo.db(e2eDbName('messages')).collection('read_access_log')
      .find({ orgId: org.orgId, channelId, userId: patient.userId, at: { $gte: before } }).toArray();
    expect(rows.map((r) => [r.what, r.userKind])).toEqual([['timeline', 'patient']]);
  });

  /** Every page of a filtered query, as the officer would walk it. */
  const allPages = async (by: User, params: Record<string, string | number>): Promise<Entry[]> => {
    const out: Entry[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await query(by, { ...params, limit: 200, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      out.push(...(page.body.entries as Entry[]));
      cursor = page.body.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('more than 100 pages');
  };

  describe('every write and read of a conversation is in the trail', () => {
    const msgPath = (messageId: string, rest = ''): string => `/v1/channels/${channelId}/messages/${messageId}${rest}`;
    let sent: { id: string; seq: number };
    let moderated: { id: string; seq: number };
    let reply: { id: string };
    let mediaId: string;
    const marks = { body: `private words ${randomUUID()}`, reason: `wrong patient ${randomUUID().slice(0, 6)}`, editReason: 'phone number removed' };

    beforeAll(async () => {
      const a = await api('POST', `/v1/channels/${channelId}/messages`, { token: patient.token, body: { clientMessageId: `a-${randomUUID()}`, body: marks.body } });
      expect(a.status).toBe(201);
      sent = a.body.message ?? a.body;
      const b = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: `b-${randomUUID()}`, body: 'version zero' } });
      expect(b.status).toBe(201);
      moderated = b.body.message ?? b.body;
      // two edits (the author's own, then staff with a reason), then a staff delete with a reason
      expect((await api('PATCH', msgPath(moderated.id), { token: tm.token, body: { body: 'version one' } })).status).toBe(200);
      expect((await api('PATCH', msgPath(moderated.id), { token: manager.token, body: { body: 'version two', reason: marks.editReason } })).status).toBe(200);
      expect((await api('DELETE', `${msgPath(moderated.id)}?reason=${encodeURIComponent(marks.reason)}`, { token: manager.token })).status).toBe(200);
      expect((await api('PUT', msgPath(sent.id, '/reactions/like'), { token: tm.token })).status).toBe(200);
      expect((await api('DELETE', msgPath(sent.id, '/reactions/like'), { token: tm.token })).status).toBe(200);
      const r = await api('POST', msgPath(sent.id, '/replies'), { token: tm.token, body: { clientMessageId: `r-${randomUUID()}`, body: 'a reply' } });
      expect(r.status).toBe(201);
      reply = r.body.message ?? r.body;
      expect((await api('GET', msgPath(sent.id, '/replies'), { token: patient.token })).status).toBe(200);
      expect((await api('GET', `/v1/channels/${channelId}/messages`, { token: manager.token })).status).toBe(200);
      expect((await api('GET', `/v1/channels/${channelId}/members`, { token: patient.token })).status).toBe(200);
      expect((await api('POST', `/v1/channels/${channelId}/archive`, { token: patient.token })).status).toBe(200);
      const form = new FormData();
      form.append('file', new Blob([TINY_PNG], { type: 'image/png' }), 'dot.png');
      const up = await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${tm.token}` }, body: form });
      expect(up.status).toBe(201);
      mediaId = ((await up.json()) as { id: string }).id;
      expect((await fetch(`${gatewayUrl}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${tm.token}` } })).status).toBe(200);
    });

    it('each action kind is an entry: who, which channel and patient, which message and seq; the moderation reason opened; never a body', async () => {
      await expectEventually(async () => {
        const mine = (await allPages(auditor, { patientId: patient.userId })).filter((e) => !e.action.startsWith('audit.'));
        const kinds = (action: string, messageId?: string): Entry[] => mine.filter((e) => e.action === action && (!messageId || e.messageId === messageId));
        expect(kinds('message.sent', sent.id)).toEqual([expect.objectContaining({ actorId: patient.userId, channelId, patientId: patient.userId, fromSeq: sent.seq, toSeq: sent.seq })]);
        expect(kinds('message.sent', reply.id)).toHaveLength(1);
        expect(kinds('message.edited', moderated.id).map((e) => [e.actorId, e.reason]).sort()).toEqual([[manager.userId, marks.editReason], [tm.userId, null]].sort());
        expect(kinds('message.deleted', moderated.id)).toEqual([expect.objectContaining({ actorId: manager.userId, reason: marks.reason, fromSeq: moderated.seq })]);
        expect(kinds('reaction.added', sent.id).map((e) => e.actorId)).toEqual([tm.userId]);
        expect(kinds('reaction.removed', sent.id).map((e) => e.actorId)).toEqual([tm.userId]);
        expect(kinds('thread.read', sent.id).map((e) => e.actorId)).toEqual([patient.userId]);
        expect(kinds('messages.read').map((e) => e.actorId)).toContain(manager.userId);
        expect(kinds('channel.members.read').map((e) => e.actorId)).toContain(patient.userId);
        expect(kinds('channel.archived').map((e) => e.actorId)).toContain(patient.userId);
      }, { timeoutMs: 20_000 });
      const stored = JSON.stringify(await allPages(auditor, { channelId }));
      expect(stored).not.toContain(marks.body);
      expect(stored).not.toContain('version one');
      // the trail rests sealed: a reason is not in the database in plaintext
      const raw = JSON.stringify(await mongo.db(e2eDbName('channels')).collection('audit_log').find({ orgId: org.orgId }).toArray());
      expect(raw).not.toContain(marks.reason);
    });

    it('the filters select each kind: action + actorId, from/to around the writes, and a media read by its reader (no channel)', async () => {
      const deletes = (await query(auditor, { action: 'message.deleted', actorId: manager.userId })).body.entries as Entry[];
      expect(deletes.map((e) => e.messageId)).toEqual([moderated.id]);
      expect((await query(auditor, { action: 'message.deleted', actorId: tm.userId })).body.entries).toEqual([]);
      const at = Date.parse(deletes[0]?.at ?? '');
      expect((await query(auditor, { action: 'message.deleted', from: new Date(at + 1).toISOString() })).body.entries).toEqual([]);
      expect(((await query(auditor, { action: 'message.deleted', to: new Date(at + 1).toISOString() })).body.entries as Entry[]).map((e) => e.id)).toEqual([deletes[0]?.id]);
      await expectEventually(async () => {
        const reads = (await query(auditor, { action: 'media.read', actorId: tm.userId })).body.entries as Entry[];
        expect(reads).toEqual([expect.objectContaining({ mediaId, channelId: null, actorId: tm.userId })]);
      });
    });

    it('an activation rule change is in the trail', async () => {
      const admin = await org.teamMember(undefined, ['settings:manage']);
      expect((await api('PUT', '/v1/admin/activation-rules/service_team', { token: admin.token, body: { autoActivate: false, teamMemberIds: [] } })).status).toBe(200);
      await expectEventually(async () => {
        const changes = (await query(auditor, { action: 'activation-rule.changed', actorId: admin.userId })).body.entries as Entry[];
        expect(changes).toHaveLength(1);
      });
    });

    it('a notification settings change is in the trail: who changed whose settings', async () => {
      expect((await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { pushEnabled: false } })).status).toBe(200);
      await expectEventually(async () => {
        const changes = (await query(auditor, { action: 'notification-settings.changed', actorId: patient.userId })).body.entries as Entry[];
        expect(changes.map((e) => e.targetUserId)).toEqual([patient.userId]);
      });
    });

    it('versions: after two edits and a delete, every version with its body opened, who changed it, when and why — itself audited', async () => {
      const res = await api('GET', `/v1/admin/messages/${moderated.id}/versions`, { token: auditor.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ messageId: moderated.id, channelId, senderId: tm.userId, deleted: true });
      expect(res.body.versions.map((v: any) => [v.version, v.body, v.change, v.actorId, v.as, v.reason])).toEqual([
        [0, 'version zero', 'sent', tm.userId, 'author', null],
        [1, 'version one', 'edit', tm.userId, 'author', null],
        [2, 'version two', 'edit', manager.userId, 'staff', marks.editReason],
        [3, 'version two', 'delete', manager.userId, 'staff', marks.reason],
      ]);
      await expectEventually(async () => {
        const reads = (await query(auditor, { action: 'message.versions.read', actorId: auditor.userId })).body.entries as Entry[];
        expect(reads.map((e) => e.messageId)).toContain(moderated.id);
      });
    });

    it('versions: 403 without audit:read (even messaging:manage), 404 for another organisation, 404 for an unknown message', async () => {
      expect((await api('GET', `/v1/admin/messages/${moderated.id}/versions`, { token: manager.token })).status).toBe(403);
      expect((await api('GET', `/v1/admin/messages/${moderated.id}/versions`, { token: patient.token })).status).toBe(403);
      expect((await api('GET', `/v1/admin/messages/${moderated.id}/versions`, { token: otherAuditor.token })).status).toBe(404);
      expect((await api('GET', `/v1/admin/messages/msg_nope${randomUUID().slice(0, 6)}/versions`, { token: auditor.token })).status).toBe(404);
    });

    it('export: NDJSON streams every entry of the filter (all pages) with its Content-Type and Content-Disposition; the export is itself audited', async () => {
      const expected = await allPages(auditor, { channelId, action: 'message.sent' });
      const res = await fetch(`${gatewayUrl}/v1/admin/audit/export?format=ndjson&channelId=${channelId}&action=message.sent`, { headers: { authorization: `Bearer ${auditor.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.+\.ndjson"$/);
      const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
      expect(lines.map((e) => e.id)).toEqual(expected.map((e) => e.id));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      const exported = (await query(auditor, { action: 'audit.exported', actorId: auditor.userId, channelId })).body.entries as Entry[];
      expect(exported.length).toBeGreaterThanOrEqual(1);
    });

    it('export: CSV has a header and one row per entry, the moderation reason quoted as RFC 4180 wants', async () => {
      const res = await fetch(`${gatewayUrl}/v1/admin/audit/export?format=csv&channelId=${channelId}&action=message.deleted`, { headers: { authorization: `Bearer ${auditor.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toMatch(/\.csv"$/);
      const rows = (await res.text()).split('\r\n').filter(Boolean);
      expect(rows[0]).toBe('id,at,actorId,action,channelId,patientId,targetUserId,messageId,mediaId,fromSeq,toSeq,reason');
      expect(rows).toHaveLength(2);
      expect(rows[1]).toContain(`,message.deleted,${channelId},${patient.userId},,${moderated.id},,${moderated.seq},${moderated.seq},${marks.reason}`);
    });

    it('export: 403 without audit:read and 400 for an unknown format, both before any body; the other organisation exports none of ours', async () => {
      expect((await api('GET', '/v1/admin/audit/export', { token: manager.token })).status).toBe(403);
      const bad = await api('GET', '/v1/admin/audit/export?format=xlsx', { token: auditor.token });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('format');
      const theirs = await fetch(`${gatewayUrl}/v1/admin/audit/export?channelId=${channelId}`, { headers: { authorization: `Bearer ${otherAuditor.token}` } });
      const entries = (await theirs.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
      expect(entries.filter((e) => !e.action.startsWith('audit.'))).toEqual([]);
      expect(changes(await allPages(otherAuditor, { patientId: patient.userId }))).toEqual([]);
    });
  });
});
