import { randomUUID } from 'node:crypto';
import { expectEventually, tokenFor } from '@wellifiy/testing';
import { api, connectionRefusalDetail, connectRealtime, newOrg, publishInbound, publishToQueue, RealtimeClient } from './support/client';
import { callRoute, everyRoute } from './support/routes';
import { SecondGateway, startSecondGateway } from './support/second-gateway';

/**
 * Item 2 of the security issue: access ends when the staff directory archives a team member
 * (`team-member.archived`, DESIGN §6) — on every REST route, at the socket handshake and for socket events, on
 * every gateway replica — and an archived person cannot be added to channels. Sockets also end when their
 * token expires.
 */
describe('item 2 (archived access): access ends when a team member is archived', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let second: SecondGateway;

  beforeAll(async () => {
    second = await startSecondGateway(0);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await second?.stop();
  });

  it('item 2: after team-member.archived the token gets 403 TEAM_MEMBER_ARCHIVED on every authenticated REST route, and open sockets on every gateway are disconnected', async () => {
    const leaving = await org.teamMember(undefined, ['messaging:manage', 'settings:manage']);
    const colleague = await org.teamMember();
    const patient = await org.patient();
    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: leaving.token });
    expect(care.status).toBe(200);
    expect((await api('POST', `/v1/channels/${care.body.id}/members`, { token: leaving.token, body: { userId: colleague.userId } })).status).toBe(200);
    // Before: the token works and sockets stay up, on both gateways.
    const dm = await api('POST', '/v1/channels', { token: leaving.token, body: { type: 'dm', memberIds: [colleague.userId] } });
    expect(dm.status).toBe(201);
    const onFirst = await connectRealtime(leaving.token);
    const onSecond = await connectRealtime(leaving.token, { url: second.url });
    const colleagueSocket = await connectRealtime(colleague.token);
    sockets.push(onFirst, onSecond, colleagueSocket);

    await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaving.userId });

    await expectEventually(() => {
      expect(onFirst.disconnectReason).toBe('io server disconnect');
      expect(onSecond.disconnectReason).toBe('io server disconnect');
    }, { timeoutMs: 10_000 });
    expect(onFirst.received('error')).toContainEqual(expect.objectContaining({ code: 'TEAM_MEMBER_ARCHIVED' }));
    expect(colleagueSocket.disconnectReason).toBeNull();

    const again = await api('POST', '/v1/channels', { token: leaving.token, body: { type: 'dm', memberIds: [colleague.userId, patient.userId] } });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ statusCode: 403, code: 'TEAM_MEMBER_ARCHIVED', message: expect.stringContaining('archived') });

    const routes = everyRoute({ channelId: care.body.id, messageId: 'msg_nobody', patientId: patient.userId, userId: colleague.userId });
    const answers: Record<string, [number, string]> = {};
    for (const route of routes) {
      const res = await callRoute(route, leaving.token);
      answers[route.label] = [res.status, res.body?.code];
    }
    expect(answers).toEqual(Object.fromEntries(routes.map((r) => [r.label, [403, 'TEAM_MEMBER_ARCHIVED']])));
    // The colleague's access is untouched.
    expect((await api('GET', `/v1/channels/${care.body.id}`, { token: colleague.token })).status).toBe(200);
  });

  it('item 2: an archived team member cannot open a socket on any gateway (TEAM_MEMBER_ARCHIVED), even with a freshly minted token', async () => {
    const leaving = await org.teamMember();
    await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaving.userId });
    const fresh = tokenFor({ userId: leaving.userId, orgId: org.orgId, kind: 'team_member' });
    await expectEventually(async () => {
      const refused = await connectionRefusalDetail({ token: fresh });
      expect(refused.data).toEqual({ code: 'TEAM_MEMBER_ARCHIVED', statusCode: 403 });
    });
    const onSecond = await connectionRefusalDetail({ token: fresh }, { url: second.url });
    expect(onSecond.message).toMatch(/archived/);
    expect(onSecond.data).toEqual({ code: 'TEAM_MEMBER_ARCHIVED', statusCode: 403 });
  });

  it('item 2: the archive names the organisation: the same user id in another organisation keeps its access', async () => {
    const other = newOrg();
    const id = `tm_${randomUUID().slice(0, 8)}`;
    const here = await org.teamMember(id);
    const there = await other.teamMember(id);
    await publishInbound('team-member.archived', org.orgId, { teamMemberId: id });
    await expectEventually(async () => expect((await api('GET', '/v1/me', { token: here.token })).status).toBe(403));
    expect((await api('GET', '/v1/me', { token: there.token })).status).toBe(200);
    const socket = await connectRealtime(there.token);
    sockets.push(socket);
  });

  it('item 2: adding an archived team member to a channel is refused with 409 CANNOT_ADD_ARCHIVED_MEMBER naming them', async () => {
    const tm = await org.teamMember();
    const gone = await org.teamMember();
    const patient = await org.patient();
    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(care.status).toBe(200);
    await publishInbound('team-member.archived', org.orgId, { teamMemberId: gone.userId });
    await expectEventually(async () => expect((await api('GET', '/v1/me', { token: gone.token })).status).toBe(403));

    await expectEventually(async () => {
      const added = await api('POST', `/v1/channels/${care.body.id}/members`, { token: tm.token, body: { userId: gone.userId } });
      expect(added.status).toBe(409);
      expect(added.body).toMatchObject({ code: 'CANNOT_ADD_ARCHIVED_MEMBER', details: { userIds: [gone.userId] }, message: expect.stringContaining(gone.userId) });
    });
    const dm = await api('POST', '/v1/channels', { token: tm.token, body: { type: 'dm', memberIds: [gone.userId] } });
    expect(dm.status).toBe(409);
    expect(dm.body).toMatchObject({ code: 'CANNOT_ADD_ARCHIVED_MEMBER', details: { userIds: [gone.userId] } });
  });

  it('item 2: a socket event of an archived team member is refused with TEAM_MEMBER_ARCHIVED and the socket is disconnected', async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(care.status).toBe(200);
    const socket = await connectRealtime(tm.token);
    sockets.push(socket);
    // Straight to the gateways' durable queue only: the archive is recorded, but no realtime fan-out disconnects
    // the socket first — the socket's own next event must be refused.
    await publishToQueue('wellifiy.gateway.events', 'team-member.archived', org.orgId, { teamMemberId: tm.userId });
    await expectEventually(async () => expect((await api('GET', '/v1/me', { token: tm.token })).status).toBe(403));
    expect(socket.disconnectReason).toBeNull();
    socket.socket.emit('typing', { channelId: care.body.id });
    await expectEventually(() => expect(socket.received('error')).toContainEqual(expect.objectContaining({ event: 'typing', code: 'TEAM_MEMBER_ARCHIVED' })));
    await expectEventually(() => expect(socket.disconnectReason).toBe('io server disconnect'));
  });

  it('item 2: a socket is disconnected when its token expires', async () => {
    const tm = await org.teamMember();
    const shortLived = tokenFor({ userId: tm.userId, orgId: org.orgId, kind: 'team_member' }, { expiresInSeconds: 3 });
    const socket = await connectRealtime(shortLived);
    sockets.push(socket);
    const longLived = await connectRealtime(tm.token);
    sockets.push(longLived);
    await expectEventually(() => expect(socket.disconnectReason).toBe('io server disconnect'), { timeoutMs: 8000 });
    expect(socket.received('error')).toContainEqual(expect.objectContaining({ code: 'TOKEN_EXPIRED' }));
    expect(longLived.disconnectReason).toBeNull();
  });
});
