import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever, tokenFor } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, publishInbound, RealtimeClient } from './support/client';
import { e2eSmtpPort } from './support/notifications-env';
import { DeviceKeys, PushServiceListener, SmtpListener } from './support/notifications-listeners';
import { E2E_BASE_PORT } from './support/system';

type User = Awaited<ReturnType<ReturnType<typeof newOrg>['teamMember']>>;

const send = async (user: User, channelId: string, body: string): Promise<number> => {
  const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: user.token, body: { clientMessageId: randomUUID(), body } });
  expect(res.status).toBe(201);
  return res.body.seq as number;
};

const badge = async (user: User): Promise<{ total: number; channels: { channelId: string; unread: number; muted: boolean; archived: boolean }[] }> => {
  const res = await api('GET', '/v1/me/badge', { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
};

const unreadIn = async (user: User, channelId: string): Promise<number | undefined> =>
  (await badge(user)).channels.find((c) => c.channelId === channelId)?.unread;

async function activate(tm: User, patient: User): Promise<string> {
  const res = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

/** The events the message service and channels service will publish, sent here with plain amqplib. */
const publishDeleted = (orgId: string, channelId: string, seq: number, senderId: string): Promise<string> =>
  publishInbound('message.deleted', orgId, { channelId, messageId: `msg_${randomUUID().slice(0, 8)}`, seq, senderId, actorId: senderId });

describe('unread counts and badges', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let tm: User;
  let patient: User;
  let channelId: string;
  let tmPhone: RealtimeClient;
  let tmLaptop: RealtimeClient;

  beforeAll(async () => {
    tm = await org.teamMember();
    patient = await org.patient();
    channelId = await activate(tm, patient);
    tmPhone = await connectRealtime(tm.token);
    tmLaptop = await connectRealtime(tm.token);
    sockets.push(tmPhone, tmLaptop);
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  const lastBadge = (s: RealtimeClient): { total: number; channelId: string | null; unread: number } | undefined => s.received('badge.updated').at(-1);

  it("a patient's messages are unread for the team member and never for the sender; badge.updated reaches every device", async () => {
    for (let i = 1; i <= 3; i++) await send(patient, channelId, `question ${i}`);

    await expectEventually(async () => expect(await badge(tm)).toEqual({ total: 3, channels: [{ channelId, unread: 3, muted: false, archived: false }] }));
    expect(await badge(patient)).toEqual({ total: 0, channels: [{ channelId, unread: 0, muted: false, archived: false }] });
    for (const device of [tmPhone, tmLaptop]) await expectEventually(() => expect(lastBadge(device)).toEqual({ total: 3, channelId, unread: 3 }));
  });

  it('reading on one device moves the marker forward only and updates the other device', async () => {
    const read = await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: { seq: 2 } });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ channelId, readSeq: 2, unread: 1, total: 1 });
    for (const device of [tmPhone, tmLaptop]) await expectEventually(() => expect(lastBadge(device)).toEqual({ total: 1, channelId, unread: 1 }));

    const back = await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: { seq: 1 } });
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ channelId, readSeq: 2, unread: 1, total: 1 });
  });

  it("own messages are never unread: sending moves the sender's marker to their message", async () => {
    const seq = await send(tm, channelId, 'reply from the team');
    expect(seq).toBe(4);
    await expectEventually(async () => expect(await unreadIn(patient, channelId)).toBe(1));
    await expectEventually(async () => expect(await unreadIn(tm, channelId)).toBe(0));
  });

  it('a deleted message stops counting (message.deleted)', async () => {
    const a = await send(patient, channelId, 'five');
    const b = await send(patient, channelId, 'six');
    await expectEventually(async () => expect(await unreadIn(tm, channelId)).toBe(2));

    await publishDeleted(org.orgId, channelId, a, patient.userId);
    await expectEventually(async () => expect(await badge(tm)).toMatchObject({ total: 1, channels: [{ channelId, unread: 1 }] }));
    await expectEventually(() => expect(lastBadge(tmLaptop)).toEqual({ total: 1, channelId, unread: 1 }));

    // Redelivered: counted once.
    await publishDeleted(org.orgId, channelId, a, patient.userId);
    await publishDeleted(org.orgId, channelId, b, patient.userId);
    await expectEventually(async () => expect((await badge(tm)).total).toBe(0));
  });

  it('an archived channel leaves the badge but keeps its count; unarchiving restores it', async () => {
    await send(patient, channelId, 'seven');
    await expectEventually(async () => expect((await badge(tm)).total).toBe(1));

    await publishInbound('channel.archived', org.orgId, { channelId, userId: tm.userId });
    await expectEventually(async () => expect(await badge(tm)).toEqual({ total: 0, channels: [{ channelId, unread: 1, muted: false, archived: true }] }));
    await expectEventually(() => expect(lastBadge(tmPhone)).toEqual({ total: 0, channelId, unread: 1 }));
    // Only that user's archive: the patient's badge is untouched (their marker is at their own message 7).
    await send(tm, channelId, 'eight');
    await expectEventually(async () => expect(await badge(patient)).toEqual({ total: 1, channels: [{ channelId, unread: 1, muted: false, archived: false }] }));

    await publishInbound('channel.unarchived', org.orgId, { channelId, userId: tm.userId });
    await expectEventually(async () => expect(await badge(tm)).toEqual({ total: 0, channels: [{ channelId, unread: 0, muted: false, archived: false }] }));
    await send(patient, channelId, 'nine');
    await expectEventually(async () => expect((await badge(tm)).total).toBe(1));
  });

  it('a muted channel is not in the badge; unmuting restores it', async () => {
    const muted = await api('PUT', '/v1/me/notification-settings', { token: tm.token, body: { mutedChannelIds: [channelId] } });
    expect(muted.status).toBe(200);
    expect(muted.body.mutedChannelIds).toEqual([channelId]);
    await expectEventually(async () => expect(await badge(tm)).toEqual({ total: 0, channels: [{ channelId, unread: 1, muted: true, archived: false }] }));
    await expectEventually(() => expect(lastBadge(tmLaptop)).toMatchObject({ total: 0 }));

    const unmuted = await api('PUT', '/v1/me/notification-settings', { token: tm.token, body: { mutedChannelIds: [] } });
    expect(unmuted.status).toBe(200);
    await expectEventually(async () => expect((await badge(tm)).total).toBe(1));
  });

  it('a device that reconnects reads the same badge from GET /v1/me/badge', async () => {
    tmPhone.close();
    const read = await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: { seq: 1000 } });
    expect(read.body).toMatchObject({ unread: 0, total: 0 });
    const again = await connectRealtime(tm.token);
    sockets.push(again);
    expect(await badge(tm)).toEqual({ total: 0, channels: [{ channelId, unread: 0, muted: false, archived: false }] });
  });

  it('rule 1: reading or asking receipts of a channel one is not a member of is 404, also across organisations', async () => {
    const outsider = await org.teamMember();
    const twin = tokenFor({ userId: tm.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'team_member' });
    for (const token of [outsider.token, twin]) {
      expect((await api('POST', `/v1/channels/${channelId}/read`, { token, body: { seq: 1 } })).status).toBe(404);
      expect((await api('GET', `/v1/channels/${channelId}/receipts`, { token })).status).toBe(404);
    }
    expect((await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: { seq: -1 } })).status).toBe(400);
    expect((await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: {} })).status).toBe(400);
  });
});

describe('item 8: a read marker past the end', () => {
  const org = newOrg();

  it('is clamped to the last message, so a later message still counts as unread', async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const channelId = await activate(tm, patient);
    const seq = await send(patient, channelId, 'before the marker');
    await expectEventually(async () => expect(await unreadIn(tm, channelId)).toBe(1));

    const read = await api('POST', `/v1/channels/${channelId}/read`, { token: tm.token, body: { seq: 2147483000 } });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ channelId, readSeq: seq, unread: 0, total: 0 });

    await send(patient, channelId, 'after the marker');
    await expectEventually(async () => expect(await unreadIn(tm, channelId)).toBe(1));
  });
});

describe('read receipts and typing', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let manager: User;
  let tm: User;
  let alice: User;
  let bob: User;
  let groupId: string;

  beforeAll(async () => {
    manager = await org.teamMember(undefined, ['messaging:manage']);
    tm = await org.teamMember();
    alice = await org.patient();
    bob = await org.patient();
    const created = await api('POST', '/v1/channels', {
      token: manager.token,
      body: { type: 'group', name: 'Support group', memberIds: [tm.userId, alice.userId, bob.userId] },
    });
    expect(created.status).toBe(201);
    groupId = created.body.channel?.id ?? created.body.id;
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  it("receipts come from read markers: team members see everyone's, a patient sees the team's and their own, never another patient's", async () => {
    const seq = await send(manager, groupId, 'Welcome to the group');
    await expectEventually(async () => {
      const r = await api('POST', `/v1/channels/${groupId}/read`, { token: alice.token, body: { seq } });
      expect(r.status).toBe(200);
    });
    expect((await api('POST', `/v1/channels/${groupId}/read`, { token: bob.token, body: { seq } })).status).toBe(200);

    const staffView = await api('GET', `/v1/channels/${groupId}/receipts`, { token: tm.token });
    expect(staffView.status).toBe(200);
    const byUser = Object.fromEntries(staffView.body.receipts.map((r: { userId: string; readSeq: number }) => [r.userId, r.readSeq]));
    expect(byUser).toEqual({ [manager.userId]: seq, [alice.userId]: seq, [bob.userId]: seq, [tm.userId]: 0 });

    const aliceView = await api('GET', `/v1/channels/${groupId}/receipts`, { token: alice.token });
    expect(aliceView.status).toBe(200);
    expect(aliceView.body.receipts.map((r: { userId: string }) => r.userId).sort()).toEqual([alice.userId, manager.userId, tm.userId].sort());
    expect(JSON.stringify(aliceView.body)).not.toContain(bob.userId);
    expect(JSON.stringify(aliceView.body)).not.toMatch(/Surname|Member-/); // ids only, never names
  });

  it("receipt.updated: a team member's marker reaches the room; a patient's reaches the team members only", async () => {
    const tmSocket = await connectRealtime(tm.token);
    const aliceSocket = await connectRealtime(alice.token);
    const bobSocket = await connectRealtime(bob.token);
    sockets.push(tmSocket, aliceSocket, bobSocket);
    const seq = await send(manager, groupId, 'Session moved to Thursday');

    await expectEventually(async () => expect((await api('POST', `/v1/channels/${groupId}/read`, { token: tm.token, body: { seq } })).body.readSeq).toBe(seq));
    for (const s of [aliceSocket, bobSocket]) {
      await expectEventually(() => expect(s.received('receipt.updated')).toContainEqual(expect.objectContaining({ channelId: groupId, userId: tm.userId, readSeq: seq })));
    }

    expect((await api('POST', `/v1/channels/${groupId}/read`, { token: alice.token, body: { seq } })).status).toBe(200);
    await expectEventually(() => expect(tmSocket.received('receipt.updated')).toContainEqual(expect.objectContaining({ userId: alice.userId, readSeq: seq })));
    await expectNever(() => bobSocket.received('receipt.updated').some((r) => r.userId === alice.userId), { forMs: 500, what: "a patient saw another patient's read position" });
  });

  it('typing reaches the other members of the channel only, never the typist, and only from a member socket', async () => {
    const tmSocket = await connectRealtime(tm.token);
    const tmOtherDevice = await connectRealtime(tm.token);
    const aliceSocket = await connectRealtime(alice.token);
    const outsider = await connectRealtime((await org.teamMember()).token);
    sockets.push(tmSocket, tmOtherDevice, aliceSocket, outsider);

    tmSocket.socket.emit('typing', { channelId: groupId });
    await expectEventually(() => expect(aliceSocket.received('typing')).toEqual([{ channelId: groupId, userId: tm.userId }]));

    outsider.socket.emit('typing', { channelId: groupId });
    outsider.socket.emit('typing', { channelId: 'not an id!' });
    outsider.socket.emit('typing', 'garbage');
    await expectNever(
      () => aliceSocket.received('typing').length > 1 || tmSocket.received('typing').length > 0 || tmOtherDevice.received('typing').length > 0 || outsider.received('typing').length > 0,
      { forMs: 700, what: 'typing from a non-member was relayed, or echoed to the typist' },
    );
  });
});

describe('unread message emails (digest)', () => {
  const org = newOrg();
  const smtp = new SmtpListener();
  const email = `digest-${randomUUID().slice(0, 8)}@patients.example`;
  let tm: User;
  let patient: User;
  let channelId: string;
  const secret = `SECRET-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await smtp.listen(e2eSmtpPort(E2E_BASE_PORT));
    tm = await org.teamMember();
    patient = await org.patient(undefined, { email });
    channelId = await activate(tm, patient);
    const put = await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { emailFrequency: 'after_delay', emailDelayMinutes: 2 } });
    expect(put.status).toBe(200);
  });

  afterAll(() => smtp.close());

  it('a burst of messages yields exactly one email, with counts and a link but no message text or names', async () => {
    for (let i = 0; i < 3; i++) await send(tm, channelId, `${secret} lab result ${i}`);

    await expectEventually(() => expect(smtp.to(email)).toHaveLength(1), { timeoutMs: 20_000 });
    await expectNever(() => smtp.to(email).length > 1, { forMs: 4000, what: 'a second email for the same burst' });

    const [mail] = smtp.to(email);
    expect(mail.subject).toBe('You have unread messages on Wellifiy');
    expect(mail.content).toContain('You have 3 unread messages in 1 conversation on Wellifiy.');
    expect(mail.content).toContain('http://localhost:3000');
    for (const forbidden of [secret, 'lab result', 'Pat', `Surname-${patient.userId}`, 'Tess', `Member-${tm.userId}`, channelId]) {
      expect(mail.content).not.toContain(forbidden);
    }
  });

  it('never the same unread messages twice: the next digest counts only what came after the last one', async () => {
    await send(tm, channelId, `${secret} one more`);
    await expectEventually(() => expect(smtp.to(email)).toHaveLength(2), { timeoutMs: 20_000 });
    expect(smtp.to(email)[1].content).toContain('You have 1 unread message in 1 conversation on Wellifiy.');
  });

  it('no email when the messages were read before the digest fired', async () => {
    let last = 0;
    for (let i = 0; i < 2; i++) last = await send(tm, channelId, `${secret} read quickly ${i}`);
    expect((await api('POST', `/v1/channels/${channelId}/read`, { token: patient.token, body: { seq: last } })).status).toBe(200);
    await expectNever(() => smtp.to(email).length > 2, { forMs: 5000, what: 'an email about messages already read' });
  });

  it('frequency off: no email at all', async () => {
    expect((await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { emailFrequency: 'off' } })).status).toBe(200);
    await send(tm, channelId, `${secret} while off`);
    await expectNever(() => smtp.to(email).length > 2, { forMs: 4000, what: 'an email while emails are off' });
  });
});

describe('push notifications for patients (Web Push)', () => {
  const org = newOrg();
  const pushService = new PushServiceListener();
  let base: string;
  let tm: User;
  let patient: User;
  let channelId: string;
  const device = new DeviceKeys();
  const secret = `SECRET-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    base = await pushService.listen();
    tm = await org.teamMember();
    patient = await org.patient();
    channelId = await activate(tm, patient);
  });

  afterAll(() => pushService.close());

  it('only patients register devices, and only to an allowed push service', async () => {
    expect((await api('POST', '/v1/me/push-subscriptions', { token: tm.token, body: { endpoint: `${base}/tm`, keys: device.json } })).status).toBe(403);
    const privateTarget = await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: 'https://10.1.2.3/push', keys: device.json } });
    expect(privateTarget.status).toBe(400);
    expect(privateTarget.body.code).toBe('PUSH_ENDPOINT_NOT_ALLOWED');
    expect((await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: `${base}/x`, keys: { p256dh: 'short', auth: 'x' } } })).status).toBe(400);
    const cfg = await api('GET', '/v1/me/push-config', { token: patient.token });
    expect(cfg.body).toEqual({ webPush: { enabled: true, vapidPublicKey: expect.stringMatching(/^[A-Za-z0-9_-]{87}$/) } });
  });

  it('a new message pushes an encrypted payload that carries ids and generic text only', async () => {
    const reg = await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: `${base}/device-1`, keys: device.json, expirationTime: null } });
    expect(reg.status).toBe(201);
    const sent = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: randomUUID(), body: `${secret} your results` } });

    await expectEventually(() => expect(pushService.at('/device-1')).toHaveLength(1));
    const push = pushService.at('/device-1')[0];
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.headers.authorization).toMatch(/^vapid t=.+, k=.+/);
    expect(push.body.toString('latin1')).not.toContain(secret);
    const payload = JSON.parse(device.decrypt(push.body));
    expect(payload).toEqual({
      type: 'message.created', channelId, messageId: sent.body.id, seq: sent.body.seq, title: 'Wellifiy', body: 'You have a new message',
    });
    expect(JSON.stringify(payload)).not.toMatch(new RegExp(`${secret}|Surname|Member-|Tess`));
  });

  it('no push for the sender, nor when push is off or the channel muted', async () => {
    await send(patient, channelId, 'my own message');
    expect((await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { pushEnabled: false } })).status).toBe(200);
    await send(tm, channelId, 'while push is off');
    expect((await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { pushEnabled: true, mutedChannelIds: [channelId] } })).status).toBe(200);
    await send(tm, channelId, 'while muted');
    await expectNever(() => pushService.at('/device-1').length > 1, { forMs: 1500, what: 'a push that should not have been sent' });

    expect((await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { mutedChannelIds: [] } })).status).toBe(200);
    await send(tm, channelId, 'pushes again');
    await expectEventually(() => expect(pushService.at('/device-1')).toHaveLength(2));
  });

  it('an expired subscription (410) is removed', async () => {
    const keys = new DeviceKeys();
    const reg = await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: `${base}/expired`, keys: keys.json } });
    expect(reg.status).toBe(201);
    pushService.respondWith = 410;
    await send(tm, channelId, 'to an expired device');
    await expectEventually(() => expect(pushService.at('/expired').length).toBeGreaterThanOrEqual(1));
    await expectEventually(async () => expect((await api('DELETE', `/v1/me/push-subscriptions/${reg.body.id}`, { token: patient.token })).status).toBe(404));
    pushService.respondWith = 201;
  });

  it("item 6: another user registering a patient's endpoint gets 409 and the device keeps receiving the patient's pushes only", async () => {
    const keys = new DeviceKeys();
    expect((await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: `${base}/device-owned`, keys: keys.json } })).status).toBe(201);
    const other = await org.patient();
    const otherChannel = await activate(tm, other);
    const takeover = await api('POST', '/v1/me/push-subscriptions', { token: other.token, body: { endpoint: `${base}/device-owned`, keys: new DeviceKeys().json } });
    expect(takeover.status).toBe(409);
    expect(takeover.body.code).toBe('PUSH_ENDPOINT_TAKEN');
    expect(takeover.body.message).toMatch(/registered to another user/);

    await send(tm, otherChannel, 'for the other patient');
    await send(tm, channelId, 'for the owner');
    await expectEventually(() => expect(pushService.at('/device-owned')).toHaveLength(1));
    expect(JSON.parse(keys.decrypt(pushService.at('/device-owned')[0].body)).channelId).toBe(channelId);
    await expectNever(() => pushService.at('/device-owned').length > 1, { forMs: 1000, what: "a push of the other patient's channel" });
  });

  it('a device is unregistered with DELETE; another user cannot delete it', async () => {
    const keys = new DeviceKeys();
    const reg = await api('POST', '/v1/me/push-subscriptions', { token: patient.token, body: { endpoint: `${base}/device-2`, keys: keys.json } });
    const other = await org.patient();
    expect((await api('DELETE', `/v1/me/push-subscriptions/${reg.body.id}`, { token: other.token })).status).toBe(404);
    expect((await api('DELETE', `/v1/me/push-subscriptions/${reg.body.id}`, { token: patient.token })).status).toBe(204);
    await send(tm, channelId, 'after unregistering');
    await expectNever(() => pushService.at('/device-2').length > 0, { forMs: 1000, what: 'a push to an unregistered device' });
  });
});

describe('notification preferences and who may change them', () => {
  const org = newOrg();
  const otherOrg = newOrg();
  let tm: User;
  let tm2: User;
  let patient: User;
  let patient2: User;
  let foreignPatient: User;

  beforeAll(async () => {
    tm = await org.teamMember();
    tm2 = await org.teamMember();
    patient = await org.patient();
    patient2 = await org.patient();
    foreignPatient = await otherOrg.patient();
  });

  it('a user reads and changes their own settings', async () => {
    const initial = await api('GET', '/v1/me/notification-settings', { token: patient.token });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ userId: patient.userId, pushEnabled: true, mutedChannelIds: [], updatedAt: null });

    const put = await api('PUT', '/v1/me/notification-settings', { token: patient.token, body: { emailFrequency: 'daily', pushEnabled: false } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ userId: patient.userId, emailFrequency: 'daily', pushEnabled: false, updatedBy: patient.userId });
    expect((await api('GET', '/v1/me/notification-settings', { token: patient.token })).body).toEqual(put.body);
  });

  it("a team member may change a patient's settings", async () => {
    const put = await api('PUT', `/v1/users/${patient.userId}/notification-settings`, { token: tm.token, body: { emailFrequency: 'after_delay', emailDelayMinutes: 30 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ userId: patient.userId, emailFrequency: 'after_delay', emailDelayMinutes: 30, pushEnabled: false, updatedBy: tm.userId });
    expect((await api('GET', '/v1/me/notification-settings', { token: patient.token })).body).toMatchObject({ emailDelayMinutes: 30 });
  });

  it.each([
    ['a patient changing another patient', () => [patient2.token, patient.userId], 403],
    ['a patient changing a team member', () => [patient.token, tm.userId], 403],
    ['a team member changing another team member', () => [tm.token, tm2.userId], 403],
    ['a team member changing a patient of another organisation', () => [tm.token, foreignPatient.userId], 404],
    ['a team member changing an unknown user', () => [tm.token, 'pt_nobody'], 404],
  ] as const)('%s gets %i', async (_, who, status) => {
    const [token, target] = who();
    expect((await api('PUT', `/v1/users/${target}/notification-settings`, { token, body: { pushEnabled: true } })).status).toBe(status);
    expect((await api('GET', `/v1/users/${target}/notification-settings`, { token })).status).toBe(status);
  });

  it('bad input is a 400; muting a channel one is not in is a 404', async () => {
    for (const body of [{ emailFrequency: 'hourly' }, { emailDelayMinutes: 0 }, { pushEnabled: 'yes' }, { mutedChannelIds: 'ch_1' }, { unknown: true }]) {
      expect((await api('PUT', '/v1/me/notification-settings', { token: tm.token, body })).status).toBe(400);
    }
    expect((await api('PUT', '/v1/me/notification-settings', { token: tm.token, body: { mutedChannelIds: ['ch_not_mine'] } })).status).toBe(404);
  });
});
