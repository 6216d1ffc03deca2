import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { isPatientSealedBox, PatientKeyErasedError } from '@wellifiy/crypto';
import { expectEventually, testInfra } from '@wellifiy/testing';
import { keysOfBackup } from './support/backup-keys';
import { api, newOrg } from './support/client';
import { e2eDbName } from './support/system';

type User = { userId: string; orgId: string; token: string };

async function activate(tm: User, patient: User): Promise<string> {
  const res = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

async function send(token: string, channelId: string, body: string): Promise<string> {
  const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, body: { clientMessageId: `c-${randomUUID()}`, body } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function timeline(token: string, channelId: string): Promise<any[]> {
  const res = await api('GET', `/v1/channels/${channelId}/messages?limit=100`, { token });
  expect(res.status).toBe(200);
  return res.body.messages as any[];
}

describe('retention periods and legal holds (audit:read)', () => {
  const org = newOrg();
  const elsewhere = newOrg();
  let officer: User;
  let manager: User;
  let tm: User;
  let patient: User;
  let otherOfficer: User;

  beforeAll(async () => {
    officer = await org.teamMember(undefined, ['audit:read']);
    manager = await org.teamMember(undefined, ['settings:manage', 'messaging:manage']);
    tm = await org.teamMember();
    patient = await org.patient();
    otherOfficer = await elsewhere.teamMember(officer.userId, ['audit:read']);
  });

  it('permission table: only audit:read reads or sets retention and holds; off (null) by default', async () => {
    const get = async (u: User) => (await api('GET', '/v1/admin/retention', { token: u.token })).status;
    const hold = async (u: User) => (await api('POST', '/v1/admin/legal-holds', { token: u.token, body: { patientId: patient.userId, reason: 'x' } })).status;
    const erase = async (u: User) => (await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: u.token, body: { reason: 'x' } })).status;
    expect({
      patient: [await get(patient), await hold(patient), await erase(patient)],
      teamMember: [await get(tm), await hold(tm), await erase(tm)],
      managerWithoutAuditRead: [await get(manager), await hold(manager), await erase(manager)],
    }).toEqual({ patient: [403, 403, 403], teamMember: [403, 403, 403], managerWithoutAuditRead: [403, 403, 403] });
    const settings = await api('GET', '/v1/admin/retention', { token: officer.token });
    expect(settings).toMatchObject({ status: 200, body: { messageContentDays: null, mediaDays: null, updatedAt: null, updatedBy: null } });
  });

  it('bad input is 400 naming the problem', async () => {
    const put = (body: unknown) => api('PUT', '/v1/admin/retention', { token: officer.token, body });
    for (const [body, field] of [[{ messageContentDays: 0, mediaDays: null }, 'messageContentDays'], [{ messageContentDays: 'ten', mediaDays: null }, 'messageContentDays'], [{ messageContentDays: 30 }, 'mediaDays'], [{ messageContentDays: 30, mediaDays: 1.5 }, 'mediaDays']] as const) {
      const res = await put(body);
      expect({ status: res.status, names: String(res.body.message).includes(field) }).toEqual({ status: 400, names: true });
    }
    const both = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { patientId: patient.userId, channelId: 'ch_1', reason: 'x' } });
    expect(both).toMatchObject({ status: 400, body: { message: expect.stringContaining('exactly one of patientId or channelId') } });
    const neither = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { reason: 'x' } });
    expect(neither.status).toBe(400);
    const noReason = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { patientId: patient.userId } });
    expect({ status: noReason.status, names: String(noReason.body.message).includes('reason') }).toEqual({ status: 400, names: true });
    expect((await api('GET', '/v1/admin/legal-holds?limit=0', { token: officer.token })).status).toBe(400);
    expect((await api('GET', '/v1/admin/legal-holds?cursor=nonsense', { token: officer.token })).status).toBe(400);
  });

  it('holds: placed, listed in pages, scoped to the organisation, released (404 when unknown)', async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { channelId: `ch_listed_${i}`, reason: `case ${i}` } });
      expect(res).toMatchObject({ status: 201, body: { id: expect.any(String), channelId: `ch_listed_${i}`, patientId: null, reason: `case ${i}`, placedBy: officer.userId } });
      placed.push(res.body.id as string);
    }
    const first = await api('GET', '/v1/admin/legal-holds?limit=2', { token: officer.token });
    expect(first.status).toBe(200);
    expect(first.body.holds).toHaveLength(2);
    const second = await api('GET', `/v1/admin/legal-holds?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: officer.token });
    const listed = [...first.body.holds, ...second.body.holds].map((h: { id: string }) => h.id);
    expect(listed).toEqual(expect.arrayContaining(placed));
    expect(new Set(listed).size).toBe(listed.length);
    expect((await api('GET', '/v1/admin/legal-holds', { token: otherOfficer.token })).body.holds).toEqual([]);
    expect((await api('DELETE', `/v1/admin/legal-holds/${placed[0]}`, { token: otherOfficer.token })).status).toBe(404);

    for (const id of placed) expect((await api('DELETE', `/v1/admin/legal-holds/${id}`, { token: officer.token })).status).toBe(200);
    expect((await api('DELETE', `/v1/admin/legal-holds/${placed[0]}`, { token: officer.token })).status).toBe(404);
    const after = ((await api('GET', '/v1/admin/legal-holds?limit=200', { token: officer.token })).body.holds as { id: string }[]).map((h) => h.id);
    expect(after.filter((id) => placed.includes(id))).toEqual([]);
  });

  it('purge: past the retention period content becomes a `retention` tombstone, except in channels under a patient hold', async () => {
    const heldPatient = await org.patient();
    const held = await activate(tm, heldPatient);
    const free = await activate(tm, patient);
    const hold = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { patientId: heldPatient.userId, reason: 'litigation' } });
    expect(hold.status).toBe(201);
    const keptId = await send(tm.token, held, 'kept under hold');
    const goneId = await send(patient.token, free, 'past retention');

    const put = await api('PUT', '/v1/admin/retention', { token: officer.token, body: { messageContentDays: 2, mediaDays: null } });
    expect(put).toMatchObject({ status: 200, body: { messageContentDays: 2, mediaDays: null, updatedBy: officer.userId } });
    expect((await api('GET', '/v1/admin/retention', { token: officer.token })).body).toMatchObject({ messageContentDays: 2, mediaDays: null });
    // The other organisation's settings are its own.
    expect((await api('GET', '/v1/admin/retention', { token: otherOfficer.token })).body).toMatchObject({ messageContentDays: null });

    await expectEventually(async () => {
      const gone = (await timeline(patient.token, free)).find((m) => m.id === goneId);
      expect(gone).toMatchObject({ body: '', deleted: true, deletedBy: 'retention' });
    }, { timeoutMs: 20_000 });
    expect((await timeline(tm.token, held)).find((m) => m.id === keptId)).toMatchObject({ body: 'kept under hold' });
    expect((await timeline(tm.token, held)).find((m) => m.id === keptId)?.deleted).toBeUndefined();

    // Turned off again: nothing more is purged (the rest of this organisation's tests keep their content).
    expect((await api('PUT', '/v1/admin/retention', { token: officer.token, body: { messageContentDays: null, mediaDays: null } })).status).toBe(200);
  });
});

describe('erasure by crypto-shredding', () => {
  const org = newOrg();
  let mongo: mongoose.mongo.MongoClient;
  let officer: User;
  let tm: User;
  let patient: User;
  let channelId: string;
  let messageIds: string[];

  beforeAll(async () => {
    mongo = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
    officer = await org.teamMember(undefined, ['audit:read']);
    tm = await org.teamMember();
    patient = await org.patient();
    channelId = await activate(tm, patient);
    messageIds = [await send(patient.token, channelId, 'my private history'), await send(tm.token, channelId, 'clinical reply to the patient')];
  });

  afterAll(async () => {
    await mongo?.close();
  });

  const openRaw = async (): Promise<unknown[]> => {
    const db = mongo.db(e2eDbName('messages'));
    const keys = keysOfBackup(db);
    const docs = await db.collection('messages').find({ _id: { $in: messageIds as never[] } }).toArray();
    expect(docs).toHaveLength(messageIds.length);
    return Promise.all(docs.map((d) => keys.openText(d.body, `message-body:${String(d._id)}`).catch((err: unknown) => err)));
  };

  it('content of the patient\'s channel is sealed under their key; erasure is 409 under a legal hold; erasure makes every copy unreadable', async () => {
    // Both messages (the patient's and the team member's, in the patient's channel) are sealed under the patient's key.
    const docs = await mongo.db(e2eDbName('messages')).collection('messages').find({ _id: { $in: messageIds as never[] } }).toArray();
    expect(docs.map((d) => isPatientSealedBox(d.body) && d.body.patientId)).toEqual([patient.userId, patient.userId]);
    expect((await openRaw()).sort()).toEqual(['clinical reply to the patient', 'my private history']);

    const hold = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { channelId, reason: 'pending complaint' } });
    expect(hold.status).toBe(201);
    const refused = await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: officer.token, body: { reason: 'erasure request' } });
    expect(refused).toMatchObject({ status: 409, body: { code: 'UNDER_LEGAL_HOLD' } });
    expect((await timeline(tm.token, channelId)).map((m) => m.body).sort()).toEqual(['clinical reply to the patient', 'my private history']);
    expect((await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: officer.token, body: {} })).status).toBe(400);

    expect((await api('DELETE', `/v1/admin/legal-holds/${hold.body.id}`, { token: officer.token })).status).toBe(200);
    const erased = await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: officer.token, body: { reason: 'erasure request' } });
    expect(erased).toMatchObject({ status: 200, body: { patientId: patient.userId, keyDestroyed: true, erasedAt: expect.any(String) } });

    // Reading them is not an error: they come back as erasure tombstones.
    await expectEventually(async () => {
      const shown = (await timeline(tm.token, channelId)).filter((m) => messageIds.includes(m.id));
      expect(shown.map((m) => [m.body, m.deleted, m.deletedBy])).toEqual([['', true, 'erasure'], ['', true, 'erasure']]);
    });
    // The raw documents — as any backup holds them — no longer open with the master key ring.
    const opened = await openRaw();
    expect(opened.map((r) => r instanceof PatientKeyErasedError)).toEqual([true, true]);
    const keyDoc = await mongo.db(e2eDbName('messages')).collection('patient_keys').findOne({ orgId: org.orgId, patientId: patient.userId });
    expect(keyDoc).toMatchObject({ keyId: null, wrapped: null, erasedAt: expect.any(Date) });
    // A second erasure has nothing left to destroy.
    const again = await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: officer.token, body: { reason: 'erasure request' } });
    expect(again).toMatchObject({ status: 200, body: { keyDestroyed: false } });
  });
});
