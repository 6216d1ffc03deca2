import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { expectEventually, fhirR4Errors, testInfra, TINY_PNG } from '@wellifiy/testing';
import { api, newOrg } from './support/client';
import { e2eDbName, gatewayUrl } from './support/system';

type User = { userId: string; orgId: string; token: string };
type Entry = { fullUrl: string; resource: Record<string, any> };

/** Issue 17 item 4: a patient's conversations exported to the chart as a FHIR R4 Bundle, through the gateway. */
describe('chart export: GET /v1/admin/patients/:patientId/export (FHIR R4 Bundle of Communications)', () => {
  const org = newOrg();
  const elsewhere = newOrg();
  let mongo: mongoose.mongo.MongoClient;
  let officer: User;
  let tm: User;
  let manager: User;
  let patient: User;
  let fellow: User;
  let otherOfficer: User;
  const ids = { care: '', staff: '', group: '', root: '', reply: '', image: '', media: '', deleted: '', staffNote: '', groupNote: '', fellowNote: '' };

  const exportOf = async (by: User, patientId: string, query = ''): Promise<{ status: number; contentType: string | null; body: any }> => {
    const res = await api('GET', `/v1/admin/patients/${encodeURIComponent(patientId)}/export${query}`, { token: by.token });
    return { status: res.status, contentType: res.headers.get('content-type'), body: res.body };
  };
  const byMessageId = (bundle: { entry: Entry[] }): Map<string, Entry> =>
    new Map(bundle.entry.map((e) => [e.resource.identifier[0].value as string, e]));
  const entryOf = (entries: Map<string, Entry>, messageId: string): Entry => {
    const found = entries.get(messageId);
    if (!found) throw new Error(`message ${messageId} is not in the Bundle`);
    return found;
  };

  beforeAll(async () => {
    // Compiling the FHIR schema blocks this process for seconds: done first, so no idle keep-alive connection to the
    // gateway times out unnoticed meanwhile and fails the next request.
    expect(fhirR4Errors({ resourceType: 'Bundle', type: 'collection' })).toEqual([]);
    mongo = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
    officer = await org.teamMember(undefined, ['audit:read']);
    tm = await org.teamMember();
    manager = await org.teamMember(undefined, ['messaging:manage']);
    patient = await org.patient();
    fellow = await org.patient();
    otherOfficer = await elsewhere.teamMember(officer.userId, ['audit:read']);
    // The same patient id in another organisation: its officer must still not find this one's conversations.
    await elsewhere.patient(patient.userId);

    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(care.status).toBe(200);
    ids.care = care.body.id;
    const send = async (by: User, channelId: string, body: Record<string, unknown>): Promise<string> => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: by.token, body: { clientMessageId: randomUUID(), ...body } });
      expect(res.status).toBe(201);
      return res.body.message?.id ?? res.body.id;
    };
    ids.root = await send(patient, ids.care, { body: 'My knee still hurts after the physio session' });
    const reply = await api('POST', `/v1/channels/${ids.care}/messages/${ids.root}/replies`, { token: tm.token, body: { clientMessageId: randomUUID(), body: 'Please rest it and send a photo' } });
    expect(reply.status).toBe(201);
    ids.reply = reply.body.message?.id ?? reply.body.id;

    const form = new FormData();
    form.append('file', new Blob([TINY_PNG], { type: 'image/png' }), 'knee.png');
    const up = await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${patient.token}` }, body: form });
    expect(up.status).toBe(201);
    ids.media = ((await up.json()) as { id: string }).id;
    ids.image = await send(patient, ids.care, { body: 'Here it is', attachments: [ids.media] });

    ids.deleted = await send(patient, ids.care, { body: 'sent to the wrong channel' });
    expect((await api('DELETE', `/v1/channels/${ids.care}/messages/${ids.deleted}`, { token: patient.token })).status).toBe(200);

    const staff = await api('POST', '/v1/channels', { token: tm.token, body: { type: 'staff', name: 'Knee follow-up', patientId: patient.userId, memberIds: [manager.userId] } });
    expect(staff.status).toBe(201);
    ids.staff = staff.body.channel?.id ?? staff.body.id;
    ids.staffNote = await send(tm, ids.staff, { body: 'Consider an MRI referral' });

    const group = await api('POST', '/v1/channels', { token: manager.token, body: { type: 'group', name: 'Knee class', memberIds: [patient.userId, fellow.userId] } });
    expect(group.status).toBe(201);
    ids.group = group.body.channel?.id ?? group.body.id;
    ids.groupNote = await send(manager, ids.group, { body: 'Class moves to Thursday' });
    ids.fellowNote = await send(fellow, ids.group, { body: 'See you all there' });
  });

  afterAll(async () => {
    await mongo?.close();
  });

  it('care-team channel with messages, a thread reply, an image and a deleted message: a schema-valid FHIR R4 Bundle (collection)', async () => {
    const res = await exportOf(officer, patient.userId);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/fhir\+json/);
    expect(fhirR4Errors(res.body)).toEqual([]);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'collection' });

    const entries = byMessageId(res.body);
    const root = entryOf(entries, ids.root).resource;
    expect(root).toMatchObject({
      resourceType: 'Communication',
      status: 'completed',
      sender: { type: 'Patient', identifier: { value: patient.userId }, display: `Pat Surname-${patient.userId}` },
      subject: { type: 'Patient', identifier: { value: patient.userId } },
      recipient: [{ type: 'Practitioner', identifier: { value: tm.userId }, display: `Tess Member-${tm.userId}` }],
      payload: [{ contentString: 'My knee still hurts after the physio session' }],
    });
    expect(Date.parse(root.sent)).not.toBeNaN();
    expect(root.extension[0].extension).toEqual(expect.arrayContaining([{ url: 'id', valueIdentifier: expect.objectContaining({ value: ids.care }) }, { url: 'type', valueCode: 'care_team' }]));

    const reply = entryOf(entries, ids.reply).resource;
    expect(reply.inResponseTo).toEqual([{ reference: entryOf(entries, ids.root).fullUrl }]);
    expect(reply.sender).toMatchObject({ type: 'Practitioner', identifier: { value: tm.userId } });

    const image = entryOf(entries, ids.image).resource;
    expect(image.payload).toEqual([
      { contentString: 'Here it is' },
      { contentAttachment: { url: `${gatewayUrl}/v1/media/${ids.media}`, contentType: 'image/png', size: expect.any(Number), creation: expect.any(String) } },
    ]);
    expect(JSON.stringify(image.payload)).not.toContain('"data"');

    const deleted = entryOf(entries, ids.deleted).resource;
    expect(deleted.status).toBe('entered-in-error');
    expect(deleted.payload).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('sent to the wrong channel');

    // The patient's group channel is in; the staff channel is not.
    expect(entryOf(entries, ids.groupNote).resource.extension[0].extension).toContainEqual({ url: 'type', valueCode: 'group' });
    expect(entries.has(ids.staffNote)).toBe(false);
    expect(JSON.stringify(res.body)).not.toContain('MRI');
  });

  it("rule 9: a fellow patient of the group is in this patient's chart by display name only (no id, no real name)", async () => {
    const res = await exportOf(officer, patient.userId);
    const note = entryOf(byMessageId(res.body), ids.fellowNote).resource;
    expect(note.sender).toEqual({ type: 'Patient', display: 'Pat' });
    expect(JSON.stringify(res.body)).not.toContain(fellow.userId);
    expect(JSON.stringify(res.body)).not.toContain(`Surname-${fellow.userId}`);
  });

  it('staff channels only with includeStaff=true (still schema-valid)', async () => {
    const res = await exportOf(officer, patient.userId, '?includeStaff=true');
    expect(res.status).toBe(200);
    expect(fhirR4Errors(res.body)).toEqual([]);
    const note = byMessageId(res.body).get(ids.staffNote)?.resource;
    expect(note).toMatchObject({ payload: [{ contentString: 'Consider an MRI referral' }], topic: { text: expect.stringContaining('Knee follow-up') } });
    expect((await exportOf(officer, patient.userId, '?includeStaff=false')).body.entry.some((e: Entry) => e.resource.identifier[0].value === ids.staffNote)).toBe(false);
  });

  it('permission table: audit:read only — 403 for a team member, a manager and the patient; other organisation and unknown patient 404', async () => {
    const statuses = {
      teamMember: (await exportOf(tm, patient.userId)).status,
      manager: (await exportOf(manager, patient.userId, '?includeStaff=true')).status,
      patient: (await exportOf(patient, patient.userId)).status,
      officer: (await exportOf(officer, patient.userId)).status,
      unknownPatient: (await exportOf(officer, `pt_nobody${randomUUID().slice(0, 6)}`)).status,
    };
    expect(statuses).toEqual({ teamMember: 403, manager: 403, patient: 403, officer: 200, unknownPatient: 404 });
    // The other organisation's officer, for a patient id its organisation does not know, gets 404…
    const stranger = await exportOf(otherOfficer, `pt_nobody${randomUUID().slice(0, 6)}`);
    expect(stranger.status).toBe(404);
    // …and for the same patient id in its own organisation, nothing of this organisation's conversations.
    const same = await exportOf(otherOfficer, patient.userId);
    expect(same.status).toBe(200);
    expect(same.body.entry).toEqual([]);
  });

  it('bad input is a 400 naming the field', async () => {
    const res = await exportOf(officer, patient.userId, '?includeStaff=maybe');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('includeStaff');
  });

  it('durable audit: the export is a patient.exported entry in the audit trail, and each timeline page read is a read access', async () => {
    const before = new Date();
    expect((await exportOf(officer, patient.userId)).status).toBe(200);
    const trail = await api('GET', `/v1/admin/audit?action=patient.exported&patientId=${patient.userId}&from=${before.toISOString()}`, { token: officer.token });
    expect(trail.status).toBe(200);
    expect(trail.body.entries).toEqual([expect.objectContaining({ action: 'patient.exported', actorId: officer.userId, patientId: patient.userId })]);
    await expectEventually(async () => {
      const reads = await mongo.db(e2eDbName('messages')).collection('read_access_log')
        .find({ orgId: org.orgId, userId: officer.userId, at: { $gte: before } }).toArray();
      expect(reads.map((r) => r.channelId).sort()).toEqual([ids.care, ids.group].sort());
    });
  });
});
