import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { PatientKeyErasedError } from '@wellifiy/crypto';
import { expectEventually, expectNever, sampleIsoMedia, testInfra, TINY_PNG } from '@wellifiy/testing';
import { keysOfBackup } from './support/backup-keys';
import { api, newOrg, publishInbound } from './support/client';
import { e2eDbName, gatewayUrl } from './support/system';

type User = { userId: string; orgId: string; token: string };
type Entry = { id: string; action: string; actorId: string; patientId: string | null; channelId: string | null; messageId: string | null; reason: string | null };

async function uploadMedia(token: string, bytes: Buffer, filename: string, type: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), filename);
  const res = await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function getMedia(token: string, mediaId: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${gatewayUrl}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function send(token: string, channelId: string, body: string, attachments?: string[]): Promise<string> {
  const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, body: { clientMessageId: `c-${randomUUID()}`, body, ...(attachments ? { attachments } : {}) } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/**
 * Erasure of a patient through the gateway, beyond the messages' own content (retention.e2e-spec.ts): the names and
 * email in the channels and notifications projections, the media they uploaded and the media of their channel, the
 * free-text reasons about them, and the audit trail, which keeps ids and times only and records the erasure, the
 * holds and the retention change among every other audited action.
 */
describe('erasure removes names, emails, media and reasons; compliance actions are in the one trail', () => {
  const org = newOrg();
  let mongo: mongoose.mongo.MongoClient;
  let officer: User;
  let tm: User;
  let manager: User;
  let patient: User;
  let channelId: string;
  let patientMedia: string;
  let staffMedia: string;
  let moderatedId: string;
  const surname = `Surname-erase-${randomUUID().slice(0, 6)}`;
  const email = `erase-${randomUUID().slice(0, 6)}@patients.example`;
  const moderation = `removed: it repeats ${surname}'s diagnosis`;
  const holdReason = `complaint by ${surname}`;

  const audit = async (params: Record<string, string>): Promise<Entry[]> => {
    const res = await api('GET', `/v1/admin/audit?${new URLSearchParams({ limit: '200', ...params }).toString()}`, { token: officer.token });
    expect(res.status).toBe(200);
    return res.body.entries as Entry[];
  };
  const channelsDb = (): mongoose.mongo.Db => mongo.db(e2eDbName('channels'));
  const notificationsDb = (): mongoose.mongo.Db => mongo.db(e2eDbName('notifications'));
  const messagesDb = (): mongoose.mongo.Db => mongo.db(e2eDbName('messages'));

  beforeAll(async () => {
    mongo = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
    officer = await org.teamMember(undefined, ['audit:read']);
    tm = await org.teamMember();
    manager = await org.teamMember(undefined, ['messaging:manage']);
    patient = await org.patient(undefined, { lastName: surname, email });
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id as string;
    expect((await api('POST', `/v1/channels/${channelId}/members`, { token: tm.token, body: { userId: manager.userId } })).status).toBe(200);
    patientMedia = await uploadMedia(patient.token, TINY_PNG, 'rash.png', 'image/png');
    staffMedia = await uploadMedia(tm.token, sampleIsoMedia(20_000), 'scan.mp4', 'video/mp4');
    await send(patient.token, channelId, 'a photo of it', [patientMedia]);
    await send(tm.token, channelId, 'your scan', [staffMedia]);
    moderatedId = await send(patient.token, channelId, 'something to moderate');
    const removed = await api('DELETE', `/v1/channels/${channelId}/messages/${moderatedId}?reason=${encodeURIComponent(moderation)}`, { token: manager.token });
    expect(removed.status).toBe(200);
  });

  afterAll(async () => {
    await mongo?.close();
  });

  it('before: the member list names the patient, the projections hold the email, the media opens', async () => {
    await expectEventually(async () => {
      const members = await api('GET', `/v1/channels/${channelId}/members`, { token: tm.token });
      expect(JSON.stringify(members.body)).toContain(surname);
    });
    await expectEventually(async () => {
      expect(await channelsDb().collection('patients').findOne({ orgId: org.orgId, patientId: patient.userId })).toMatchObject({ email: expect.anything() });
      expect(await notificationsDb().collection('recipients').findOne({ orgId: org.orgId, userId: patient.userId })).toMatchObject({ email: expect.anything() });
    });
    expect((await getMedia(tm.token, patientMedia)).status).toBe(200);
    expect((await getMedia(patient.token, staffMedia)).status).toBe(200);
    // Both files' content keys are sealed under the patient's key: the patient's upload, and the team member's once posted here.
    const files = await messagesDb().collection('media.files').find({ _id: { $in: [patientMedia, staffMedia] as never[] } }).toArray();
    expect(files.map((f) => f.key?.patientId)).toEqual([patient.userId, patient.userId]);
  });

  it('retention changes and holds placed and released are entries of the one trail (GET /v1/admin/audit)', async () => {
    expect((await api('PUT', '/v1/admin/retention', { token: officer.token, body: { messageContentDays: 3650, mediaDays: null } })).status).toBe(200);
    expect((await api('PUT', '/v1/admin/retention', { token: officer.token, body: { messageContentDays: null, mediaDays: null } })).status).toBe(200);
    const hold = await api('POST', '/v1/admin/legal-holds', { token: officer.token, body: { patientId: patient.userId, reason: holdReason } });
    expect(hold.status).toBe(201);
    expect((await api('DELETE', `/v1/admin/legal-holds/${hold.body.id}`, { token: officer.token })).status).toBe(200);
    await expectEventually(async () => {
      const retention = (await audit({ action: 'retention.updated', actorId: officer.userId })).filter((e) => e.actorId === officer.userId);
      expect(retention.length).toBeGreaterThanOrEqual(2);
      const ofPatient = (await audit({ patientId: patient.userId })).map((e) => e.action);
      expect(ofPatient).toEqual(expect.arrayContaining(['legal-hold.placed', 'legal-hold.released', 'message.deleted']));
    });
    // The moderation reason is in the trail until the erasure.
    expect((await audit({ patientId: patient.userId, action: 'message.deleted' })).map((e) => e.reason)).toEqual([moderation]);
  });

  it('after erasure: no name, email, reason or media of the patient can be read; the trail keeps ids and times and records the erasure', async () => {
    const erased = await api('POST', `/v1/admin/patients/${patient.userId}/erase`, { token: officer.token, body: { reason: `requested by ${surname}` } });
    expect(erased).toMatchObject({ status: 200, body: { keyDestroyed: true } });

    await expectEventually(async () => {
      const entries = await audit({ patientId: patient.userId });
      expect(entries.find((e) => e.action === 'patient.erased')).toMatchObject({ actorId: officer.userId, patientId: patient.userId, reason: null });
      expect(entries.find((e) => e.action === 'message.deleted')).toMatchObject({ messageId: moderatedId, reason: null });
      expect(JSON.stringify(entries)).not.toContain(surname);
    }, { timeoutMs: 20_000 });

    // The member list still lists the patient (by id), without their name.
    await expectEventually(async () => {
      const members = await api('GET', `/v1/channels/${channelId}/members`, { token: tm.token });
      expect(members.status).toBe(200);
      expect((members.body as { userId: string }[]).map((m) => m.userId)).toContain(patient.userId);
      expect(JSON.stringify(members.body)).not.toContain(surname);
    });
    const projected = await channelsDb().collection('patients').findOne({ orgId: org.orgId, patientId: patient.userId });
    expect(projected).toMatchObject({ firstName: '', lastName: '', email: null, displayName: null, erasedAt: expect.any(Date) });
    await expectEventually(async () => {
      expect(await notificationsDb().collection('recipients').findOne({ orgId: org.orgId, userId: patient.userId })).toMatchObject({ email: null, erasedAt: expect.any(Date) });
    });
    // The released hold is kept with ids and times; its reason is gone.
    const holdDoc = await messagesDb().collection('legal_holds').findOne({ orgId: org.orgId, patientId: patient.userId });
    expect(holdDoc).toMatchObject({ reason: null, releasedAt: expect.any(Date) });

    // Media: a clear 404 through the gateway, and the stored content keys no longer open with the master key ring.
    for (const mediaId of [patientMedia, staffMedia]) {
      const res = await getMedia(tm.token, mediaId);
      expect({ status: res.status, message: (JSON.parse(res.bytes.toString('utf8')) as { message: string }).message }).toEqual({
        status: 404, message: `media ${mediaId} was erased with its patient: its content can no longer be opened`,
      });
    }
    const keys = keysOfBackup(messagesDb());
    const files = await messagesDb().collection('media.files').find({ _id: { $in: [patientMedia, staffMedia] as never[] } }).toArray();
    expect(files).toHaveLength(2);
    const opened = await Promise.all(files.map((f) => keys.open(f.key, `media-key:${String(f._id)}`).catch((err: unknown) => err)));
    expect(opened.map((r) => r instanceof PatientKeyErasedError)).toEqual([true, true]);
  });

  it('a later or replayed patient.updated does not bring the name or email back', async () => {
    await publishInbound('patient.updated', org.orgId, { patientId: patient.userId, firstName: 'Back', lastName: surname, email });
    await expectNever(async () => {
      const doc = await channelsDb().collection('patients').findOne({ orgId: org.orgId, patientId: patient.userId });
      const recipient = await notificationsDb().collection('recipients').findOne({ orgId: org.orgId, userId: patient.userId });
      return doc?.lastName !== '' || recipient?.email !== null;
    }, { forMs: 2000, what: 'the erased patient\'s name or email came back' });
    const members = await api('GET', `/v1/channels/${channelId}/members`, { token: tm.token });
    expect(JSON.stringify(members.body)).not.toContain(surname);
  });
});
