import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever, tokenFor } from '@wellifiy/testing';
import { api, newOrg, Org, publishInbound } from './support/client';
import { tapDeadLetters } from './support/dead-letters';

type User = Awaited<ReturnType<Org['teamMember']>>;
interface ChannelBody {
  id: string;
  type: string;
  patientId: string | null;
  members: { userId: string; kind: string }[];
}

const SETTINGS = 'settings:manage';
const RULES = '/v1/admin/activation-rules';

/** PUT a rule, waiting until the activation-rules projection has heard of the team members it assigns. */
async function setRule(admin: User, type: string, autoActivate: boolean, teamMemberIds: string[]): Promise<void> {
  await expectEventually(async () => {
    const res = await api('PUT', `${RULES}/${type}`, { token: admin.token, body: { autoActivate, teamMemberIds } });
    expect(res.status).toBe(200);
  });
}

async function channelsOf(user: { token: string }): Promise<ChannelBody[]> {
  const res = await api<ChannelBody[]>('GET', '/v1/channels', { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

const memberIds = (c: ChannelBody | undefined): string[] => (c?.members ?? []).map((m) => m.userId).sort();
const byType = (list: ChannelBody[], type: string): ChannelBody | undefined => list.find((c) => c.type === type);

/**
 * DESIGN §2 rule 10 end to end: an admin sets the Message Centre Activation Rules through the gateway;
 * the patient service's patient.created (plain amqplib) then creates, activates and staffs the channels.
 */
describe('activation rules and patient intake', () => {
  const deadLetters = tapDeadLetters();

  describe('rules on', () => {
    const org = newOrg();
    let admin: User;
    let careTm: User;
    let serviceTm: User;

    beforeAll(async () => {
      admin = await org.teamMember(undefined, [SETTINGS]);
      careTm = await org.teamMember();
      serviceTm = await org.teamMember();
      await setRule(admin, 'care_team', true, [careTm.userId]);
      await setRule(admin, 'service_team', true, [serviceTm.userId]);
    });

    it('rule 10: patient.created → within seconds the patient sees both channels, staffed by the assigned team members', async () => {
      const patient = await org.patient();
      const list = await expectEventually(async () => {
        const l = await channelsOf(patient);
        expect(l.map((c) => c.type).sort()).toEqual(['care_team', 'service_team']);
        return l;
      });
      expect(memberIds(byType(list, 'care_team'))).toEqual([careTm.userId, patient.userId].sort());
      expect(memberIds(byType(list, 'service_team'))).toEqual([serviceTm.userId, patient.userId].sort());
      // Rule 3: the service-team member is not thereby in the care-team channel.
      expect((await channelsOf(serviceTm)).filter((c) => c.patientId === patient.userId).map((c) => c.type)).toEqual(['service_team']);
      // The channel is usable at once by both sides.
      const careId = byType(list, 'care_team')?.id;
      const sent = await api('POST', `/v1/channels/${careId}/messages`, { token: patient.token, body: { clientMessageId: 'i-1', body: 'Hello' } });
      expect(sent.status).toBe(201);
      const reply = await api('POST', `/v1/channels/${careId}/messages`, { token: careTm.token, body: { clientMessageId: 'i-2', body: 'Hi' } });
      expect(reply.status).toBe(201);
    });

    it('rule 10: duplicate patient.created (same event id, and a new id for the same patient) never creates a second channel', async () => {
      const patientId = `pt_${randomUUID().slice(0, 8)}`;
      const data = { patientId, firstName: 'Dee', lastName: 'Dup' };
      const eventId = await publishInbound('patient.created', org.orgId, data);
      const patient = { token: tokenFor({ userId: patientId, orgId: org.orgId, kind: 'patient' }) };
      const first = await expectEventually(async () => {
        const l = await channelsOf(patient);
        expect(l).toHaveLength(2);
        return l;
      });
      await publishInbound('patient.created', org.orgId, data, { id: eventId });
      await publishInbound('patient.created', org.orgId, data);
      await publishInbound('patient.created', org.orgId, data);
      // A later patient's channels show the queue has moved past the duplicates.
      const marker = await org.patient();
      await expectEventually(async () => expect(await channelsOf(marker)).toHaveLength(2));
      await expectNever(async () => (await channelsOf(patient)).length !== 2, { forMs: 1000, what: 'a duplicate channel appeared' });
      expect((await channelsOf(patient)).map((c) => c.id).sort()).toEqual(first.map((c) => c.id).sort());
    });

    it('rule 10: assigned team members who were archived are skipped; the allocation clinician staffs the channel instead', async () => {
      const org2 = newOrg();
      const admin2 = await org2.teamMember(undefined, [SETTINGS]);
      const leaver = await org2.teamMember();
      const clinician = await org2.teamMember();
      await setRule(admin2, 'care_team', true, [leaver.userId]);
      await publishInbound('team-member.archived', org2.orgId, { teamMemberId: leaver.userId });
      // Archived in the projection once the rule refuses them.
      await expectEventually(async () => {
        const res = await api('PUT', `${RULES}/service_team`, { token: admin2.token, body: { autoActivate: false, teamMemberIds: [leaver.userId] } });
        expect(res.status).toBe(400);
      });
      const patient = await org2.patient(undefined, { allocationClinicianId: clinician.userId });
      const care = await expectEventually(async () => {
        const c = byType(await channelsOf(patient), 'care_team');
        expect(c).toMatchObject({ type: 'care_team', patientId: patient.userId });
        return c;
      });
      expect(memberIds(care)).toEqual([clinician.userId, patient.userId].sort());
      expect(byType(await channelsOf(patient), 'service_team')).toBeUndefined();
    });

    it('out of order: patient.created before the allocation clinician\'s team-member.created still ends with the clinician staffing the channel', async () => {
      const org3 = newOrg();
      const admin3 = await org3.teamMember(undefined, [SETTINGS]);
      await setRule(admin3, 'care_team', true, []);
      const lateId = `tm_late_${randomUUID().slice(0, 8)}`;
      const patient = await org3.patient(undefined, { allocationClinicianId: lateId });
      await publishInbound('team-member.created', org3.orgId, { teamMemberId: lateId, firstName: 'Lee', lastName: 'Late' });
      const care = await expectEventually(
        async () => {
          const c = byType(await channelsOf(patient), 'care_team');
          expect(c).toMatchObject({ type: 'care_team', patientId: patient.userId });
          return c;
        },
        { timeoutMs: 15_000 },
      );
      expect(memberIds(care)).toEqual([lateId, patient.userId].sort());
    });

    it('rule 10: with no assigned or allocation clinician available the patient is not activated but listed as needing staff; manual activation clears it', async () => {
      const org4 = newOrg();
      const admin4 = await org4.teamMember(undefined, [SETTINGS]);
      const tm = await org4.teamMember();
      await setRule(admin4, 'service_team', true, []);
      const patient = await org4.patient(undefined, { allocationClinicianId: `tm_never_${randomUUID().slice(0, 8)}` });
      // The unknown clinician is waited for through the event's retries, then treated as not active.
      const pending = await expectEventually(
        async () => {
          const res = await api('GET', `${RULES}/pending`, { token: admin4.token });
          expect(res.status).toBe(200);
          expect(res.body).toEqual([{ patientId: patient.userId, type: 'service_team', decidedAt: expect.any(String) }]);
          return res.body;
        },
        { timeoutMs: 20_000 },
      );
      expect(pending).toHaveLength(1);
      expect(await channelsOf(patient)).toEqual([]);
      const manual = await api('POST', `/v1/patients/${patient.userId}/channels/service_team/activate`, { token: tm.token });
      expect(manual.status).toBe(200);
      await expectEventually(async () => expect((await api('GET', `${RULES}/pending`, { token: admin4.token })).body).toEqual([]));
    });

    it('a malformed patient.created is dead-lettered by the activation-rules service with the reason, and the next valid one is processed', async () => {
      const badId = await publishInbound('patient.created', org.orgId, { patientId: 'pt_malformed', lastName: 'NoFirstName' });
      const good = await org.patient();
      await expectEventually(() => expect(deadLetters.reason(badId, 'wellifiy.activation-rules.events')).toContain('data.firstName'));
      await expectEventually(async () => expect(await channelsOf(good)).toHaveLength(2));
      expect(deadLetters.messages.filter((d) => d.properties.messageId !== badId && d.properties.headers?.['x-original-queue'] === 'wellifiy.activation-rules.events'
        && d.content.toString('utf8').includes(good.userId))).toEqual([]);
    });
  });

  describe('rules off', () => {
    it('rule 10: with the rules off (the default) patient.created activates nothing, and manual activation works', async () => {
      const org = newOrg();
      const tm = await org.teamMember();
      const patient = await org.patient();
      await expectNever(async () => (await channelsOf(patient)).length > 0, { forMs: 1500, what: 'a channel was activated with the rules off' });
      const manual = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
      expect(manual.status).toBe(200);
      expect(memberIds(manual.body)).toEqual([patient.userId, tm.userId].sort());
      expect((await channelsOf(patient)).map((c) => c.type)).toEqual(['care_team']);
    });

    it('rule changes apply to patients created afterwards, not to patients already decided (even on a duplicate event)', async () => {
      const org = newOrg();
      const admin = await org.teamMember(undefined, [SETTINGS]);
      const tm = await org.teamMember();
      const before = await org.patient();
      await expectNever(async () => (await channelsOf(before)).length > 0, { forMs: 1000, what: 'a channel was activated with the rule off' });
      await setRule(admin, 'care_team', true, [tm.userId]);
      await publishInbound('patient.created', org.orgId, { patientId: before.userId, firstName: 'Pat', lastName: 'Again' });
      const after = await org.patient();
      await expectEventually(async () => expect((await channelsOf(after)).map((c) => c.type)).toEqual(['care_team']));
      expect(await channelsOf(before)).toEqual([]);
    });
  });

  describe('rules API', () => {
    const org = newOrg();
    let admin: User;
    let plain: User;
    let tm1: User;
    let tm2: User;
    let patient: User;

    beforeAll(async () => {
      [admin, plain, tm1, tm2] = await Promise.all([org.teamMember(undefined, [SETTINGS]), org.teamMember(), org.teamMember(), org.teamMember()]);
      patient = await org.patient();
      await setRule(admin, 'care_team', true, [tm1.userId]);
    });

    it('a settings:manage team member reads the rule; a rule nobody set is off', async () => {
      const care = await api('GET', `${RULES}/care_team`, { token: admin.token });
      expect(care.status).toBe(200);
      expect(care.body).toEqual({ type: 'care_team', autoActivate: true, teamMemberIds: [tm1.userId], updatedAt: expect.any(String), updatedBy: admin.userId });
      const service = await api('GET', `${RULES}/service_team`, { token: admin.token });
      expect(service.body).toEqual({ type: 'service_team', autoActivate: false, teamMemberIds: [], updatedAt: null, updatedBy: null });
    });

    it('settings permission table: no token 401; team member without settings:manage 403; patient 403 (even claiming it); other organisation sees only its own rules', async () => {
      const patientWithPerm = tokenFor({ userId: patient.userId, orgId: org.orgId, kind: 'patient', perms: [SETTINGS] });
      const body = { autoActivate: false, teamMemberIds: [] };
      const endpoints: [string, string, unknown?][] = [
        ['GET', `${RULES}/care_team`],
        ['PUT', `${RULES}/care_team`, body],
        ['GET', `${RULES}/care_team/history`],
        ['GET', `${RULES}/pending`],
      ];
      for (const [method, path, b] of endpoints) {
        expect([path, (await api(method, path, { body: b })).status]).toEqual([path, 401]);
        for (const token of [plain.token, patient.token, patientWithPerm]) {
          const res = await api(method, path, { token, body: b });
          expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 'FORBIDDEN']);
        }
      }
      // The forbidden PUTs changed nothing.
      expect((await api('GET', `${RULES}/care_team`, { token: admin.token })).body).toMatchObject({ autoActivate: true, teamMemberIds: [tm1.userId] });

      const otherAdmin = tokenFor({ userId: admin.userId, orgId: `org_${randomUUID().slice(0, 8)}`, kind: 'team_member', perms: [SETTINGS] });
      const other = await api('GET', `${RULES}/care_team`, { token: otherAdmin });
      expect(other.status).toBe(200);
      expect(other.body).toEqual({ type: 'care_team', autoActivate: false, teamMemberIds: [], updatedAt: null, updatedBy: null });
      expect((await api('GET', `${RULES}/care_team/history`, { token: otherAdmin })).body).toEqual([]);
    });

    it('teamMemberIds must be active team members of this organisation: unknown, archived and other-organisation ids are refused with 400 naming them', async () => {
      const otherOrg = newOrg();
      const foreign = await otherOrg.teamMember();
      const archived = await org.teamMember();
      await publishInbound('team-member.archived', org.orgId, { teamMemberId: archived.userId });
      const unknownId = `tm_unknown_${randomUUID().slice(0, 8)}`;
      for (const bad of [unknownId, foreign.userId]) {
        const res = await api('PUT', `${RULES}/care_team`, { token: admin.token, body: { autoActivate: true, teamMemberIds: [tm2.userId, bad] } });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain(bad);
        expect(res.body.message).not.toContain(tm2.userId);
        expect(res.body.details).toEqual({ teamMemberIds: [bad] });
      }
      await expectEventually(async () => {
        const res = await api('PUT', `${RULES}/care_team`, { token: admin.token, body: { autoActivate: true, teamMemberIds: [archived.userId] } });
        expect(res.status).toBe(400);
        expect(res.body.message).toContain(archived.userId);
      });
      expect((await api('GET', `${RULES}/care_team`, { token: admin.token })).body).toMatchObject({ teamMemberIds: [tm1.userId] });
    });

    it('bad input is a 400: unknown fields, a wrong type, a non-boolean autoActivate, a non-array teamMemberIds', async () => {
      const cases: [string, unknown][] = [
        [`${RULES}/care_team`, { autoActivate: true, teamMemberIds: [], extra: 1 }],
        [`${RULES}/staff`, { autoActivate: true, teamMemberIds: [] }],
        [`${RULES}/care_team`, { autoActivate: 'yes', teamMemberIds: [] }],
        [`${RULES}/care_team`, { autoActivate: true, teamMemberIds: 'tm_1' }],
        [`${RULES}/care_team`, { autoActivate: true, teamMemberIds: [''] }],
        [`${RULES}/care_team`, { autoActivate: true }],
      ];
      for (const [path, body] of cases) {
        const res = await api('PUT', path, { token: admin.token, body });
        expect([path, body, res.status]).toEqual([path, body, 400]);
      }
      expect((await api('GET', `${RULES}/staff`, { token: admin.token })).status).toBe(400);
    });

    it('every change is audited (who, before, after, when), newest first; a PUT that changes nothing adds no entry', async () => {
      await setRule(admin, 'care_team', false, [tm1.userId, tm2.userId]);
      await setRule(admin, 'care_team', false, [tm1.userId, tm2.userId]);
      const res = await api('GET', `${RULES}/care_team/history`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        {
          id: expect.any(String), type: 'care_team', actorId: admin.userId, at: expect.any(String),
          before: { autoActivate: true, teamMemberIds: [tm1.userId] },
          after: { autoActivate: false, teamMemberIds: [tm1.userId, tm2.userId] },
        },
        {
          id: expect.any(String), type: 'care_team', actorId: admin.userId, at: expect.any(String),
          before: null,
          after: { autoActivate: true, teamMemberIds: [tm1.userId] },
        },
      ]);
      expect(Date.parse(res.body[0].at)).toBeGreaterThanOrEqual(Date.parse(res.body[1].at));
      expect((await api('GET', `${RULES}/care_team/history?limit=1`, { token: admin.token })).body).toHaveLength(1);
    });
  });
});
