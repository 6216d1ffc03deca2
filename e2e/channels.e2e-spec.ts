import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, publishInbound, RealtimeClient } from './support/client';
import { callRoute, everyRoute } from './support/routes';
import { tableViewers } from './support/viewers';

type User = { userId: string; orgId: string; token: string };
const MANAGE = 'messaging:manage';
const AUDIT_READ = 'audit:read';
const ids = (members: { userId: string }[]): string[] => members.map((m) => m.userId).sort();

async function activate(by: User, patientId: string, type: 'care_team' | 'service_team'): Promise<string> {
  const res = await api('POST', `/v1/patients/${patientId}/channels/${type}/activate`, { token: by.token });
  expect(res.status).toBe(200);
  return res.body.id;
}

async function create(by: User, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  return api('POST', '/v1/channels', { token: by.token, body });
}

async function send(by: User, channelId: string, text: string): Promise<void> {
  const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: by.token, body: { clientMessageId: randomUUID(), body: text } });
  expect(res.status).toBe(201);
}

/** The messages service learns memberships from events: wait until a new member can read the channel. */
/** The channel's audit trail as a compliance officer reads it, without the entries of these reads themselves. */
async function trailOf(auditor: User, channelId: string): Promise<{ status: number; entries: any[] }> {
  const res = await api('GET', `/v1/admin/audit?channelId=${channelId}&limit=200`, { token: auditor.token });
  return { status: res.status, entries: (res.body.entries ?? []).filter((e: { action: string }) => e.action !== 'audit.queried') };
}

async function canRead(user: User, channelId: string): Promise<void> {
  await expectEventually(async () => expect((await api('GET', `/v1/channels/${channelId}/messages`, { token: user.token })).status).toBe(200));
}

describe('channels: the five types and their rules (DESIGN §2)', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let manager: User;
  let auditor: User;
  let tmA: User;
  let tmB: User;
  let p1: User;
  let p2: User;

  beforeAll(async () => {
    manager = await org.teamMember(undefined, [MANAGE]);
    auditor = await org.teamMember(undefined, [AUDIT_READ]);
    tmA = await org.teamMember();
    tmB = await org.teamMember();
    p1 = await org.patient();
    p2 = await org.patient();
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  it('rule 3: care_team and service_team are separate channels; a service-team member is not a care-team member', async () => {
    const care = await activate(tmA, p1.userId, 'care_team');
    const service = await activate(tmB, p1.userId, 'service_team');
    expect(care).not.toBe(service);
    expect((await api('GET', `/v1/channels/${care}`, { token: tmB.token })).status).toBe(404);
    expect((await api('GET', '/v1/channels', { token: tmB.token })).body.map((c: { id: string }) => c.id)).toEqual([service]);
    const patientView = await api('GET', '/v1/channels', { token: p1.token });
    expect(patientView.body.map((c: { type: string }) => c.type).sort()).toEqual(['care_team', 'service_team']);
  });

  it('rule 2: a staff channel holds team members only and its patient never sees it, in lists, gets or realtime', async () => {
    const p1Socket = await connectRealtime(p1.token);
    sockets.push(p1Socket);
    const staff = await create(tmA, { type: 'staff', patientId: p1.userId, memberIds: [tmB.userId], name: 'Care planning' });
    expect(staff.status).toBe(201);
    expect(ids(staff.body.members)).toEqual([tmA.userId, tmB.userId].sort());
    await canRead(tmB, staff.body.id);
    await send(tmB, staff.body.id, 'internal note about the patient');

    expect((await api('GET', '/v1/channels', { token: p1.token })).body.map((c: { type: string }) => c.type)).not.toContain('staff');
    expect((await api('GET', `/v1/channels?type=staff`, { token: p1.token })).body).toEqual([]);
    expect((await api('GET', `/v1/channels/${staff.body.id}`, { token: p1.token })).status).toBe(404);
    expect((await api('GET', `/v1/channels/${staff.body.id}/messages`, { token: p1.token })).status).toBe(404);
    await expectNever(() => p1Socket.events.some((e) => JSON.stringify(e.payload ?? '').includes(staff.body.id)), {
      forMs: 400,
      what: 'the patient received an event of a staff channel',
    });

    const addPatient = await api('POST', `/v1/channels/${staff.body.id}/members`, { token: tmA.token, body: { userId: p1.userId } });
    expect(addPatient.status).toBe(409);
    expect(addPatient.body.code).toBe('PATIENT_NOT_ALLOWED');
    const withPatient = await create(tmA, { type: 'staff', patientId: p1.userId, memberIds: [p2.userId] });
    expect(withPatient.status).toBe(409);
    expect(withPatient.body.code).toBe('PATIENT_NOT_ALLOWED');
  });

  it('a staff channel needs its patient; several staff channels per patient are allowed', async () => {
    expect((await create(tmA, { type: 'staff', memberIds: [] })).status).toBe(400);
    expect((await create(tmA, { type: 'staff', patientId: 'pt_nobody', memberIds: [] })).status).toBe(404);
    const second = await create(tmA, { type: 'staff', patientId: p1.userId, memberIds: [] });
    expect(second.status).toBe(201);
  });

  it('dm: team members only; the same member set always returns the same DM', async () => {
    const first = await create(tmA, { type: 'dm', memberIds: [tmB.userId] });
    expect(first.status).toBe(201);
    const again = await create(tmB, { type: 'dm', memberIds: [tmA.userId, tmB.userId, tmA.userId] });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const group = await create(tmA, { type: 'dm', memberIds: [tmB.userId, manager.userId] });
    expect(group.status).toBe(201);
    expect(group.body.id).not.toBe(first.body.id);
    const withPatient = await create(tmA, { type: 'dm', memberIds: [p1.userId] });
    expect(withPatient.status).toBe(409);
    expect((await api('GET', `/v1/channels/${first.body.id}`, { token: p1.token })).status).toBe(404);
  });

  it('patients cannot create channels; unknown members are named in a 400', async () => {
    expect((await create(p1, { type: 'dm', memberIds: [tmA.userId] })).status).toBe(403);
    const unknown = await create(tmA, { type: 'dm', memberIds: ['tm_ghost', tmB.userId] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_USER', details: { userIds: ['tm_ghost'] } });
  });

  describe('group channels', () => {
    let groupId: string;

    it('rule 6: creating a group needs messaging:manage', async () => {
      const denied = await create(tmA, { type: 'group', name: 'Peer support', memberIds: [p1.userId, p2.userId] });
      expect(denied.status).toBe(403);
      const res = await create(manager, { type: 'group', name: 'Peer support', memberIds: [p1.userId, p2.userId, tmA.userId] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ type: 'group', name: 'Peer support', patientId: null });
      groupId = res.body.id;
      expect((await create(manager, { type: 'group', name: 'No patients', memberIds: [tmA.userId] })).status).toBe(400);
    });

    it('rule 6: managing group participants needs messaging:manage', async () => {
      const denied = await api('POST', `/v1/channels/${groupId}/members`, { token: tmA.token, body: { userId: tmB.userId } });
      expect(denied.status).toBe(403);
      const added = await api('POST', `/v1/channels/${groupId}/members`, { token: manager.token, body: { userId: tmB.userId } });
      expect(added.status).toBe(200);
      expect(ids(added.body.members)).toContain(tmB.userId);
      const again = await api('POST', `/v1/channels/${groupId}/members`, { token: manager.token, body: { userId: tmB.userId } });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('ALREADY_MEMBER');
      expect((await api('DELETE', `/v1/channels/${groupId}/members/${tmB.userId}`, { token: tmA.token })).status).toBe(403);
    });

    it('rule 9: patients see each other by display name only; team members see the real name beside it', async () => {
      const profile = await api('PATCH', '/v1/me/profile', { token: p1.token, body: { displayName: 'Sunny' } });
      expect(profile.status).toBe(200);
      expect(profile.body.displayName).toBe('Sunny');
      expect((await api('PATCH', '/v1/me/profile', { token: tmA.token, body: { displayName: 'Boss' } })).status).toBe(403);

      const p2View = await api('GET', `/v1/channels/${groupId}/members`, { token: p2.token });
      expect(p2View.status).toBe(200);
      const seenP1 = p2View.body.find((m: { userId: string }) => m.userId === p1.userId);
      expect(seenP1).toMatchObject({ kind: 'patient', displayName: 'Sunny' });
      expect(seenP1).not.toHaveProperty('realName');
      expect(JSON.stringify(p2View.body)).not.toContain(`Surname-${p1.userId}`);

      const staffView = await api('GET', `/v1/channels/${groupId}/members`, { token: tmA.token });
      expect(staffView.body.find((m: { userId: string }) => m.userId === p1.userId)).toMatchObject({
        displayName: 'Sunny',
        realName: { firstName: 'Pat', lastName: `Surname-${p1.userId}` },
      });
    });

    it("rule 9: another patient's real name appears in no response or socket event a patient receives", async () => {
      const p2Socket = await connectRealtime(p2.token);
      sockets.push(p2Socket);
      await send(p1, groupId, 'hello group');
      await send(tmA, groupId, 'welcome everyone');
      await expectEventually(() => expect(p2Socket.received('message.created')).toHaveLength(2));
      const responses = await Promise.all([
        api('GET', `/v1/channels/${groupId}`, { token: p2.token }),
        api('GET', `/v1/channels/${groupId}/members`, { token: p2.token }),
        api('GET', `/v1/channels/${groupId}/messages`, { token: p2.token }),
        api('GET', '/v1/channels', { token: p2.token }),
      ]);
      const raw = JSON.stringify([responses.map((r) => r.body), p2Socket.events]);
      expect(raw).not.toContain(`Surname-${p1.userId}`);
      expect(raw).toContain(p1.userId); // ids are fine: they are how clients refer to members
    });

    it('a member removed from a channel stops receiving its events at once, and can no longer read or write there', async () => {
      await canRead(tmB, groupId);
      await send(tmB, groupId, 'before tmB left'); // the messages service now holds tmB's membership (its cache too)
      const tmBSocket = await connectRealtime(tmB.token);
      sockets.push(tmBSocket);
      const removed = await api('DELETE', `/v1/channels/${groupId}/members/${tmB.userId}?reason=rotation`, { token: manager.token });
      expect(removed.status).toBe(200);
      expect(ids(removed.body.members)).not.toContain(tmB.userId);
      await expectEventually(() => expect(tmBSocket.received('member.removed')).toEqual([expect.objectContaining({ channelId: groupId, userId: tmB.userId })]));
      await send(tmA, groupId, 'after tmB left');
      await expectNever(() => tmBSocket.received('message.created').some((m) => m.body === 'after tmB left'), { forMs: 500, what: 'a removed member got a message' });
      await expectEventually(async () => expect((await api('GET', `/v1/channels/${groupId}/messages`, { token: tmB.token })).status).toBe(404));
      const late = await api('POST', `/v1/channels/${groupId}/messages`, { token: tmB.token, body: { clientMessageId: randomUUID(), body: 'after removal' } });
      expect(late.status).toBe(404);
      const page = await api('GET', `/v1/channels/${groupId}/messages`, { token: tmA.token });
      expect(page.body.messages.map((m: { body: string }) => m.body)).not.toContain('after removal');
    });

    it('rule 7: a patient may leave a group', async () => {
      const left = await api('POST', `/v1/channels/${groupId}/leave`, { token: p2.token });
      expect(left.status).toBe(200);
      expect((await api('GET', `/v1/channels/${groupId}`, { token: p2.token })).status).toBe(404);
    });

    it('the audit trail records who changed membership, readable with audit:read only', async () => {
      await expectEventually(async () => {
        const trail = await trailOf(auditor, groupId);
        expect(trail.status).toBe(200);
        const rows = trail.entries.map((e: { action: string; actorId: string; targetUserId: string | null; reason: string | null }) => [e.action, e.actorId, e.targetUserId, e.reason]);
        expect(rows).toEqual(
          expect.arrayContaining([
            ['channel.created', manager.userId, null, null],
            ['channel.member.added', manager.userId, tmB.userId, null],
            ['channel.member.removed', manager.userId, tmB.userId, 'rotation'],
            ['channel.member.removed', p2.userId, p2.userId, 'left'],
          ]),
        );
      });
      expect((await api('GET', '/v1/admin/audit', { token: tmA.token })).status).toBe(403);
      expect((await api('GET', '/v1/admin/audit', { token: p1.token })).status).toBe(403);
      expect((await api('GET', '/v1/admin/audit', { token: manager.token })).status).toBe(403);
    });
  });

  describe('rule 4 and rule 7: leaving', () => {
    it('the last team member cannot leave or be removed from a patient channel (409); with another one they can', async () => {
      const p3 = await org.patient();
      const care = await activate(tmA, p3.userId, 'care_team');
      const refused = await api('POST', `/v1/channels/${care}/leave`, { token: tmA.token });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER', message: expect.stringContaining('at least one team member') });
      expect((await api('DELETE', `/v1/channels/${care}/members/${tmA.userId}`, { token: tmA.token })).status).toBe(409);

      expect((await api('POST', `/v1/channels/${care}/members`, { token: tmA.token, body: { userId: tmB.userId } })).status).toBe(200);
      expect((await api('POST', `/v1/channels/${care}/leave`, { token: tmA.token })).status).toBe(200);
      const rest = await api('GET', `/v1/channels/${care}`, { token: tmB.token });
      expect(ids(rest.body.members)).toEqual([p3.userId, tmB.userId].sort());
    });

    it('patients cannot leave their care_team or service_team channel, nor be removed from it', async () => {
      const p4 = await org.patient();
      const care = await activate(tmA, p4.userId, 'care_team');
      const leave = await api('POST', `/v1/channels/${care}/leave`, { token: p4.token });
      expect(leave.status).toBe(409);
      expect(leave.body.code).toBe('PATIENT_CANNOT_LEAVE');
      const remove = await api('DELETE', `/v1/channels/${care}/members/${p4.userId}`, { token: tmA.token });
      expect(remove.status).toBe(409);
      expect((await api('POST', `/v1/channels/${care}/members`, { token: tmA.token, body: { userId: p1.userId } })).status).toBe(409);
    });
  });

  it('rule 8: archiving is per user, moves the channel to their archived list and is undone by unarchive', async () => {
    const p5 = await org.patient();
    const care = await activate(tmA, p5.userId, 'care_team');
    const p5Socket = await connectRealtime(p5.token);
    const tmASocket = await connectRealtime(tmA.token);
    sockets.push(p5Socket, tmASocket);

    const archived = await api('POST', `/v1/channels/${care}/archive`, { token: p5.token });
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);
    expect((await api('GET', '/v1/channels?archived=true', { token: p5.token })).body.map((c: { id: string }) => c.id)).toEqual([care]);
    expect((await api('GET', '/v1/channels?archived=false', { token: p5.token })).body).toEqual([]);
    // Another member's view is untouched, and only the archiving user's sockets hear of it.
    expect((await api('GET', `/v1/channels/${care}`, { token: tmA.token })).body.archived).toBe(false);
    await expectEventually(() => expect(p5Socket.received('channel.updated')).toContainEqual({ channelId: care, archived: true }));
    expect(tmASocket.received('channel.updated').filter((e) => e.channelId === care && 'archived' in e)).toEqual([]);
    // Archiving never deletes anything.
    await send(tmA, care, 'still here');
    expect((await api('GET', `/v1/channels/${care}/messages`, { token: p5.token })).body.messages).toHaveLength(1);

    const restored = await api('POST', `/v1/channels/${care}/unarchive`, { token: p5.token });
    expect(restored.body.archived).toBe(false);
    expect((await api('GET', '/v1/channels?archived=false', { token: p5.token })).body.map((c: { id: string }) => c.id)).toEqual([care]);
  });

  describe('rule 5: an archived team member is replaced by the fallback', () => {
    it('removed everywhere; the allocation clinician staffs a channel left empty; else flagged and managers told; a replay changes nothing', async () => {
      const leaving = await org.teamMember();
      const clinician = await org.teamMember();
      const withClinician = await org.patient();
      const without = await org.patient();
      const careWith = await activate(leaving, withClinician.userId, 'care_team');
      const staffWithout = (await create(leaving, { type: 'staff', patientId: without.userId, memberIds: [] })).body.id;
      const shared = (await create(leaving, { type: 'dm', memberIds: [tmA.userId] })).body.id;
      // The clinician is allocated after activation, so the fallback is what brings them in.
      await publishInbound('patient.updated', org.orgId, { patientId: withClinician.userId, allocationClinicianId: clinician.userId });
      const managerSocket = await connectRealtime(manager.token);
      const clinicianSocket = await connectRealtime(clinician.token);
      sockets.push(managerSocket, clinicianSocket);
      await expectEventually(async () => {
        // wait for the patient.updated to be applied (visible through the directory)
        const me = await api('GET', '/v1/me', { token: withClinician.token });
        expect(me.status).toBe(200);
      });

      const archivedEvent = await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaving.userId });

      await expectEventually(async () => {
        const care = await api('GET', `/v1/channels/${careWith}`, { token: clinician.token });
        expect(care.status).toBe(200);
        expect(ids(care.body.members)).toEqual([clinician.userId, withClinician.userId].sort());
      }, { timeoutMs: 20_000 });
      await expectEventually(async () => {
        const flagged = await api('GET', '/v1/admin/channels/needs-staffing', { token: manager.token });
        expect(flagged.body.map((c: { id: string }) => c.id)).toContain(staffWithout);
      });
      // Their access has ended altogether (item 2 of the security issue), so their own list answers 403.
      expect((await api('GET', '/v1/channels', { token: leaving.token })).body).toMatchObject({ statusCode: 403, code: 'TEAM_MEMBER_ARCHIVED' });
      const dm = await api('GET', `/v1/channels/${shared}`, { token: tmA.token });
      expect(ids(dm.body.members)).toEqual([tmA.userId]);
      await expectEventually(() => expect(managerSocket.received('channel.needs_staffing')).toContainEqual({ channelId: staffWithout, type: 'staff' }));
      await expectEventually(() => expect(clinicianSocket.received('member.added')).toContainEqual(expect.objectContaining({ channelId: careWith, userId: clinician.userId })));
      expect((await api('GET', '/v1/admin/channels/needs-staffing', { token: tmA.token })).status).toBe(403);

      // The trail says why the clinician joined.
      const trail = await trailOf(auditor, careWith);
      expect(trail.entries).toContainEqual(expect.objectContaining({ action: 'channel.member.added', targetUserId: clinician.userId, reason: 'fallback_allocation_clinician' }));
      const before = trail.entries.length;

      // Replaying the event (same id, then a new id) changes nothing.
      await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaving.userId }, { id: archivedEvent });
      await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaving.userId });
      const marker = await org.teamMember(); // a later event on the same queue: once it is applied, the replays were too
      expect(marker.userId).toMatch(/^tm_/);
      await expectNever(async () => (await trailOf(auditor, careWith)).entries.length !== before, {
        forMs: 1500,
        what: 'a replayed team-member.archived changed the channel',
      });
    });
  });
});

/**
 * Rule 1 as a table: every channel endpoint × every kind of caller, through the real gateway.
 * Non-members and other organisations get 404 (not 403), so ids leak nothing. The other-organisation viewer
 * has the very same user id as `teamMember` (and `messaging:manage`) and is a real member of a real channel in
 * its own organisation, beside a patient with the same id as `patientMember` (item 1 of the security issue).
 */
describe('authorization table: channel endpoints × callers', () => {
  const org = newOrg();
  const elsewhere = newOrg();
  let channelId: string;
  let groupId: string;
  let messageId: string;
  let elsewhereChannelId: string;
  const viewers: Record<string, User> = {} as never;

  beforeAll(async () => {
    Object.assign(viewers, await tableViewers(org, elsewhere));
    elsewhereChannelId = await activate(viewers.otherOrg, viewers.otherOrgPatient.userId, 'care_team');
    channelId = await activate(viewers.teamMember, viewers.patientMember.userId, 'care_team');
    await api('POST', `/v1/channels/${channelId}/members`, { token: viewers.teamMember.token, body: { userId: viewers.manager.userId } });
    groupId = (await create(viewers.manager, { type: 'group', name: 'Table', memberIds: [viewers.patientMember.userId, viewers.teamMember.userId] })).body.id;
    await canRead(viewers.teamMember, channelId);
    await canRead(viewers.otherOrg, elsewhereChannelId);
    const sent = await api('POST', `/v1/channels/${channelId}/messages`, { token: viewers.teamMember.token, body: { clientMessageId: randomUUID(), body: 'table' } });
    expect(sent.status).toBe(201);
    messageId = sent.body.id;
  });

  // [endpoint label, method, path(), body?] → expected status per viewer
  const V = ['manager', 'teamMember', 'teamNonMember', 'patientMember', 'patientNonMember', 'otherOrg'] as const;
  type Row = [string, string, () => string, (() => unknown) | undefined, Record<(typeof V)[number], number>];
  const rows: Row[] = [
    ['GET channel', 'GET', () => `/v1/channels/${channelId}`, undefined, { manager: 200, teamMember: 200, teamNonMember: 404, patientMember: 200, patientNonMember: 404, otherOrg: 404 }],
    ['GET members', 'GET', () => `/v1/channels/${channelId}/members`, undefined, { manager: 200, teamMember: 200, teamNonMember: 404, patientMember: 200, patientNonMember: 404, otherOrg: 404 }],
    ['GET messages', 'GET', () => `/v1/channels/${channelId}/messages`, undefined, { manager: 200, teamMember: 200, teamNonMember: 404, patientMember: 200, patientNonMember: 404, otherOrg: 404 }],
    ['POST message', 'POST', () => `/v1/channels/${channelId}/messages`, () => ({ clientMessageId: randomUUID(), body: 'hi' }), { manager: 201, teamMember: 201, teamNonMember: 404, patientMember: 201, patientNonMember: 404, otherOrg: 404 }],
    ['POST member (care team)', 'POST', () => `/v1/channels/${channelId}/members`, () => ({ userId: 'tm_nobody' }), { manager: 400, teamMember: 400, teamNonMember: 404, patientMember: 403, patientNonMember: 404, otherOrg: 404 }],
    ['POST member (group)', 'POST', () => `/v1/channels/${groupId}/members`, () => ({ userId: 'tm_nobody' }), { manager: 400, teamMember: 403, teamNonMember: 404, patientMember: 403, patientNonMember: 404, otherOrg: 404 }],
    ['DELETE member', 'DELETE', () => `/v1/channels/${channelId}/members/nobody`, undefined, { manager: 404, teamMember: 404, teamNonMember: 404, patientMember: 403, patientNonMember: 404, otherOrg: 404 }],
    ['POST archive', 'POST', () => `/v1/channels/${channelId}/archive`, undefined, { manager: 200, teamMember: 200, teamNonMember: 404, patientMember: 200, patientNonMember: 404, otherOrg: 404 }],
    ['POST unarchive', 'POST', () => `/v1/channels/${channelId}/unarchive`, undefined, { manager: 200, teamMember: 200, teamNonMember: 404, patientMember: 200, patientNonMember: 404, otherOrg: 404 }],
    ['POST leave (patient of care team)', 'POST', () => `/v1/channels/${channelId}/leave`, undefined, { manager: 200, teamMember: 409, teamNonMember: 404, patientMember: 409, patientNonMember: 404, otherOrg: 404 }],
    ['GET audit (audit:read only: e2e/audit.e2e-spec.ts)', 'GET', () => '/v1/admin/audit', undefined, { manager: 403, teamMember: 403, teamNonMember: 403, patientMember: 403, patientNonMember: 403, otherOrg: 403 }],
    ['GET audit export (audit:read only)', 'GET', () => '/v1/admin/audit/export', undefined, { manager: 403, teamMember: 403, teamNonMember: 403, patientMember: 403, patientNonMember: 403, otherOrg: 403 }],
    ['GET message versions (audit:read only)', 'GET', () => `/v1/admin/messages/${messageId}/versions`, undefined, { manager: 403, teamMember: 403, teamNonMember: 403, patientMember: 403, patientNonMember: 403, otherOrg: 403 }],
  ];

  it.each(rows)('%s', async (_label, method, path, body, expected) => {
    const actual: Record<string, number> = {};
    for (const v of V) {
      const res = await api(method, path(), { token: viewers[v].token, body: body?.() });
      actual[v] = res.status;
    }
    expect(actual).toEqual(expected);
  });

  /*
   * Every REST route of the gateway, called by the same user id of the other organisation with this
   * organisation's ids: a route that names this organisation's channel or message answers exactly as it does
   * for ids that exist nowhere (404, same code and message once the ids are blanked out), so ids leak nothing;
   * the other routes answer about the caller's own organisation, with nothing of this one in the answer.
   */
  it('item 1: every REST route × the same user id in another organisation: this organisation\'s ids answer as unknown ones, nothing of it in any answer', async () => {
    const common = { patientId: viewers.patientMember.userId, userId: viewers.teamNonMember.userId };
    const real = everyRoute({ channelId, messageId, ...common });
    const fake = { channelId: `ch_nowhere${randomUUID().slice(0, 8)}`, messageId: `msg_nowhere${randomUUID().slice(0, 8)}` };
    const unknown = everyRoute({ ...fake, ...common });
    const shape = (res: { status: number; body: any }, ids: { channelId: string; messageId: string }): string =>
      JSON.stringify({ status: res.status, code: res.body?.code, message: res.body?.message }).split(ids.channelId).join('<channel>').split(ids.messageId).join('<message>');
    const differences: string[] = [];
    const leaks: string[] = [];
    for (const [i, route] of real.entries()) {
      const res = await callRoute(route, viewers.otherOrg.token);
      if (route.path.includes(channelId)) {
        const asUnknown = await callRoute(unknown[i], viewers.otherOrg.token);
        if (res.status !== 404 || shape(res, { channelId, messageId }) !== shape(asUnknown, fake)) {
          differences.push(`${route.label}: ${shape(res, { channelId, messageId })} vs unknown ids ${shape(asUnknown, fake)}`);
        }
      } else if ([channelId, groupId, messageId, org.orgId].some((n) => JSON.stringify(res.body ?? '').includes(n))) {
        leaks.push(`${route.label} → ${res.status}`);
      }
    }
    expect({ differences, leaks }).toEqual({ differences: [], leaks: [] });
    // The viewer's own organisation still answers as usual.
    expect((await api('GET', `/v1/channels/${elsewhereChannelId}`, { token: viewers.otherOrg.token })).status).toBe(200);
  });
});

/**
 * Every server → client realtime event × every kind of caller (DESIGN §7: every realtime event passes the
 * authorization table). `otherOrg` is the same user id as `teamMember` in another organisation, connected and a
 * member of a channel there; `otherOrgPatient` the same id as `patientMember`. `-` = not asserted (a sender's
 * own badge may or may not change).
 */
describe('authorization table: realtime events × callers', () => {
  const org = newOrg();
  const elsewhere = newOrg();
  const V = ['manager', 'teamMember', 'teamNonMember', 'patientMember', 'patientNonMember', 'otherOrg', 'otherOrgPatient'] as const;
  type Viewer = (typeof V)[number];
  const viewers = {} as Record<Viewer, User>;
  const sockets = {} as Record<Viewer, RealtimeClient>;
  let channelId: string;
  let extra: User;
  const state: { messageId?: string; groupId?: string; staffId?: string } = {};

  beforeAll(async () => {
    Object.assign(viewers, await tableViewers(org, elsewhere));
    extra = await org.teamMember();
    await activate(viewers.otherOrg, viewers.otherOrgPatient.userId, 'care_team');
    channelId = await activate(viewers.teamMember, viewers.patientMember.userId, 'care_team');
    expect((await api('POST', `/v1/channels/${channelId}/members`, { token: viewers.teamMember.token, body: { userId: viewers.manager.userId } })).status).toBe(200);
    await canRead(viewers.teamMember, channelId);
    await canRead(viewers.manager, channelId);
    for (const v of V) sockets[v] = await connectRealtime(viewers[v].token);
  });

  afterAll(() => Object.values(sockets).forEach((s) => s.close()));

  const y = true;
  const n = false;
  const members = { manager: y, teamMember: y, teamNonMember: n, patientMember: y, patientNonMember: n, otherOrg: n, otherOrgPatient: n } as const;
  // [event, what triggers it, does the payload belong to this trigger?, who receives it]
  type EventRow = [string, () => Promise<void>, (payload: any) => boolean, Record<Viewer, boolean | '-'>];
  const rows: EventRow[] = [
    ['channel.created', async () => {
      state.groupId = (await create(viewers.manager, { type: 'group', name: 'Events', memberIds: [viewers.patientMember.userId, viewers.teamMember.userId] })).body.id;
    }, (p) => p.channelId === state.groupId, members],
    ['member.added', async () => {
      expect((await api('POST', `/v1/channels/${channelId}/members`, { token: viewers.teamMember.token, body: { userId: extra.userId } })).status).toBe(200);
    }, (p) => p.channelId === channelId && p.userId === extra.userId, members],
    ['member.removed', async () => {
      expect((await api('DELETE', `/v1/channels/${channelId}/members/${extra.userId}`, { token: viewers.teamMember.token })).status).toBe(200);
    }, (p) => p.channelId === channelId && p.userId === extra.userId, members],
    ['message.created', async () => {
      const sent = await api('POST', `/v1/channels/${channelId}/messages`, { token: viewers.teamMember.token, body: { clientMessageId: randomUUID(), body: 'realtime table' } });
      expect(sent.status).toBe(201);
      state.messageId = sent.body.id;
    }, (p) => p.id === state.messageId, members],
    ['badge.updated', async () => {
      expect((await api('POST', `/v1/channels/${channelId}/messages`, { token: viewers.teamMember.token, body: { clientMessageId: randomUUID(), body: 'for badges' } })).status).toBe(201);
    }, (p) => p.channelId === channelId, { ...members, teamMember: '-' }],
    ['message.updated', async () => {
      expect((await api('PATCH', `/v1/channels/${channelId}/messages/${state.messageId}`, { token: viewers.teamMember.token, body: { body: 'realtime table, edited' } })).status).toBe(200);
    }, (p) => p.id === state.messageId && p.body === 'realtime table, edited', members],
    ['reaction.updated', async () => {
      expect((await api('PUT', `/v1/channels/${channelId}/messages/${state.messageId}/reactions/like`, { token: viewers.patientMember.token })).status).toBe(200);
    }, (p) => p.messageId === state.messageId, members],
    ['message.deleted', async () => {
      expect((await api('DELETE', `/v1/channels/${channelId}/messages/${state.messageId}`, { token: viewers.teamMember.token })).status).toBe(200);
    }, (p) => p.id === state.messageId, members],
    ['receipt.updated', async () => {
      expect((await api('POST', `/v1/channels/${channelId}/read`, { token: viewers.patientMember.token, body: { seq: 1 } })).status).toBe(200);
    }, (p) => p.channelId === channelId && p.userId === viewers.patientMember.userId, members],
    ['typing', async () => {
      sockets.teamMember.socket.emit('typing', { channelId });
    }, (p) => p.channelId === channelId, { ...members, teamMember: n }],
    ['channel.updated', async () => {
      expect((await api('POST', `/v1/channels/${channelId}/archive`, { token: viewers.patientMember.token })).status).toBe(200);
    }, (p) => p.channelId === channelId && p.archived === true, { ...members, manager: n, teamMember: n }],
    ['channel.needs_staffing', async () => {
      const leaver = await org.teamMember();
      state.staffId = (await create(leaver, { type: 'staff', patientId: viewers.patientMember.userId, memberIds: [] })).body.id;
      await publishInbound('team-member.archived', org.orgId, { teamMemberId: leaver.userId });
    }, (p) => p.channelId === state.staffId, { ...members, teamMember: n, patientMember: n }],
  ];

  it.each(rows)('item 1: %s reaches exactly the viewers allowed to see it', async (event, trigger, matches, expected) => {
    await trigger();
    const got = (v: Viewer): boolean => sockets[v].received(event).some(matches);
    const receivers = V.filter((v) => expected[v] === true);
    await expectEventually(() => expect(receivers.filter((v) => !got(v))).toEqual([]), { timeoutMs: 20_000 });
    await expectNever(() => V.some((v) => expected[v] === false && got(v)), { forMs: 400, what: `${event} reached a viewer not allowed to see it` });
    const actual = Object.fromEntries(V.map((v) => [v, expected[v] === '-' ? '-' : got(v)]));
    expect(actual).toEqual(expected);
  });
});
