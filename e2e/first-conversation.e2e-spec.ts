import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever, tokenFor } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, RealtimeClient } from './support/client';

/**
 * The first vertical slice, driven only through the gateway (HTTP + Socket.IO) and the broker:
 * directory events → manual activation → both sides list, send and page → realtime to members only.
 */
describe('a first conversation between a patient and their care team', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let tm: Awaited<ReturnType<typeof org.teamMember>>;
  let patient: Awaited<ReturnType<typeof org.patient>>;
  let outsider: Awaited<ReturnType<typeof org.teamMember>>;
  let channelId: string;

  beforeAll(async () => {
    tm = await org.teamMember();
    outsider = await org.teamMember();
    patient = await org.patient();
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  it('the directory events made both users known: /v1/me shows who they are', async () => {
    const me = await api('GET', '/v1/me', { token: patient.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: patient.userId, orgId: org.orgId, kind: 'patient', firstName: 'Pat', displayName: 'Pat' });
  });

  it('a team member manually activates the patient care_team channel', async () => {
    const res = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'care_team', patientId: patient.userId, orgId: org.orgId });
    expect(res.body.members).toEqual(
      expect.arrayContaining([
        { userId: patient.userId, kind: 'patient' },
        { userId: tm.userId, kind: 'team_member' },
      ]),
    );
    expect(res.body.members).toHaveLength(2);
    channelId = res.body.id;
  });

  it('activating again as a member returns the same channel', async () => {
    const again = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(channelId);
  });

  it('both members see the channel in their list', async () => {
    for (const user of [tm, patient]) {
      const list = await api('GET', '/v1/channels', { token: user.token });
      expect(list.status).toBe(200);
      expect(list.body.map((c: { id: string }) => c.id)).toEqual([channelId]);
    }
  });

  it('messages get per-channel seqs; a retried clientMessageId returns the original; realtime reaches members only', async () => {
    const tmSocket = await connectRealtime(tm.token);
    const patientSocket = await connectRealtime(patient.token);
    const outsiderSocket = await connectRealtime(outsider.token);
    // Same user id in another organisation: must receive nothing either.
    const otherOrgTwin = await connectRealtime(tokenFor({ userId: tm.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'team_member' }));
    sockets.push(tmSocket, patientSocket, outsiderSocket, otherOrgTwin);

    const first = await api('POST', `/v1/channels/${channelId}/messages`, { token: patient.token, body: { clientMessageId: 'c-1', body: 'Hello, I have a question' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ channelId, seq: 1, senderId: patient.userId, senderKind: 'patient', body: 'Hello, I have a question' });

    const retry = await api('POST', `/v1/channels/${channelId}/messages`, { token: patient.token, body: { clientMessageId: 'c-1', body: 'Hello, I have a question' } });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: first.body.id, seq: 1 });

    const reply = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: 'c-1', body: 'Hi, how can I help?' } });
    expect(reply.status).toBe(201);
    expect(reply.body.seq).toBe(2);

    for (const s of [tmSocket, patientSocket]) {
      await expectEventually(() => expect(s.received('message.created').map((m) => m.seq)).toEqual([1, 2]));
      expect(s.received('message.created')[0]).toMatchObject({ id: first.body.id, channelId, senderId: patient.userId });
    }
    const leaked = (c: RealtimeClient): boolean => c.events.some((e) => e.name !== 'ready');
    await expectNever(() => leaked(outsiderSocket) || leaked(otherOrgTwin), { forMs: 500, what: 'an event reached a non-member socket' });
  });

  it('both members page the timeline by seq (after / before / limit)', async () => {
    for (let i = 3; i <= 5; i++) {
      const r = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: `c-${i}`, body: `message ${i}` } });
      expect(r.body.seq).toBe(i);
    }
    const seqs = (page: { messages: { seq: number }[] }): number[] => page.messages.map((m) => m.seq);
    const all = await api('GET', `/v1/channels/${channelId}/messages`, { token: patient.token });
    expect(seqs(all.body)).toEqual([1, 2, 3, 4, 5]);
    expect(all.body.hasMore).toBe(false);

    const after = await api('GET', `/v1/channels/${channelId}/messages?after=2&limit=2`, { token: patient.token });
    expect(seqs(after.body)).toEqual([3, 4]);
    expect(after.body.hasMore).toBe(true);

    const before = await api('GET', `/v1/channels/${channelId}/messages?before=4&limit=2`, { token: tm.token });
    expect(seqs(before.body)).toEqual([2, 3]);
    expect(before.body.hasMore).toBe(true);

    const latest = await api('GET', `/v1/channels/${channelId}/messages?limit=1`, { token: tm.token });
    expect(seqs(latest.body)).toEqual([5]);
  });

  it('each channel in the list carries the caller\'s unreadCount (own messages never unread)', async () => {
    // The patient sent seq 1, the team member seqs 2-5: four unread for the patient, none for the team member.
    await expectEventually(async () => {
      const mine = await api('GET', '/v1/channels', { token: patient.token });
      expect(mine.body.map((c: { id: string; unreadCount: number }) => [c.id, c.unreadCount])).toEqual([[channelId, 4]]);
    });
    const theirs = await api('GET', '/v1/channels', { token: tm.token });
    expect(theirs.body.map((c: { id: string; unreadCount: number }) => [c.id, c.unreadCount])).toEqual([[channelId, 0]]);
  });

  it('rule 1: a non-member of the organisation gets 404 for the channel, its messages and sending', async () => {
    const get = await api('GET', `/v1/channels/${channelId}`, { token: outsider.token });
    expect(get.status).toBe(404);
    expect(get.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    expect((await api('GET', `/v1/channels/${channelId}/messages`, { token: outsider.token })).status).toBe(404);
    const send = await api('POST', `/v1/channels/${channelId}/messages`, { token: outsider.token, body: { clientMessageId: 'x-1', body: 'let me in' } });
    expect(send.status).toBe(404);
    expect((await api('GET', '/v1/channels', { token: outsider.token })).body).toEqual([]);
  });

  it('rule 1: the same user id in another organisation gets 404', async () => {
    const twin = tokenFor({ userId: tm.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'team_member' });
    expect((await api('GET', `/v1/channels/${channelId}`, { token: twin })).status).toBe(404);
    expect((await api('GET', `/v1/channels/${channelId}/messages`, { token: twin })).status).toBe(404);
    expect((await api('GET', '/v1/channels', { token: twin })).body).toEqual([]);
  });

  it('a patient cannot activate channels (403), an unknown patient is 404, and a non-member re-activating gets 409', async () => {
    const byPatient = await api('POST', `/v1/patients/${patient.userId}/channels/service_team/activate`, { token: patient.token });
    expect(byPatient.status).toBe(403);
    const unknown = await api('POST', `/v1/patients/pt_nobody/channels/care_team/activate`, { token: tm.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('PATIENT_NOT_FOUND');
    const conflict = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: outsider.token });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, code: 'CHANNEL_ALREADY_ACTIVE' });
  });

  it('the allocation clinician joins a channel activated by someone else', async () => {
    const clinician = await org.teamMember();
    const p2 = await org.patient(undefined, { allocationClinicianId: clinician.userId });
    const res = await api('POST', `/v1/patients/${p2.userId}/channels/service_team/activate`, { token: tm.token });
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual([clinician.userId, p2.userId, tm.userId].sort());
    // The clinician can use it at once: membership reaches the messages service.
    const sent = await api('POST', `/v1/channels/${res.body.id}/messages`, { token: clinician.token, body: { clientMessageId: 'k-1', body: 'Welcome' } });
    expect(sent.status).toBe(201);
  });
});
