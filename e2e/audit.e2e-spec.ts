import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { expectEventually, testInfra } from '@wellifiy/testing';
import { api, newOrg } from './support/client';
import { e2eDbName } from './support/system';

type User = { userId: string; orgId: string; token: string };
type Entry = { id: string; at: string; actorId: string; action: string; channelId: string | null; patientId: string | null; targetUserId: string | null };

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
});
