import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DomainError, ErrorCode, PatientCreatedData } from '@wellifiy/contracts';
import { metricsRegistry } from '@wellifiy/ops';
import { teamMemberActor, patientActor } from '@wellifiy/testing';
import { ActivationRulesConfig } from '../config/activation-rules.config';
import { ActivationRulesService } from '../rules/activation-rules.service';
import { FakeActivationRulesRepository, FakeChannelsClient, FakeIntakeDecisionsRepository, FakeTeamMembersRepository } from '../testing/fakes';
import { INTAKE_ACTOR_ID, IntakeService, PatientIntakeInput } from './intake.service';

const ORG = 'org_1';
const MAX_ATTEMPTS = 5;
const admin = teamMemberActor({ userId: 'tm_admin', orgId: ORG, perms: ['settings:manage'] });

function setup() {
  const rules = new FakeActivationRulesRepository();
  const teamMembers = new FakeTeamMembersRepository().add(ORG, 'tm_a').add(ORG, 'tm_b').add(ORG, 'tm_clin');
  const decisions = new FakeIntakeDecisionsRepository();
  const channels = new FakeChannelsClient();
  const config = Object.assign(new ActivationRulesConfig(), { EVENT_MAX_ATTEMPTS: MAX_ATTEMPTS });
  const intake = new IntakeService(decisions, rules, teamMembers, channels, config);
  const settings = new ActivationRulesService(rules, teamMembers);
  const created = (patient: Partial<PatientCreatedData> & { patientId: string }, over: Partial<PatientIntakeInput> = {}): PatientIntakeInput => {
    channels.knownPatients.add(`${ORG}:${patient.patientId}`);
    return { orgId: ORG, eventId: `evt_${patient.patientId}`, attempt: 1, patient: { firstName: 'P', lastName: 'Q', ...patient }, ...over };
  };
  return { rules, teamMembers, decisions, channels, intake, settings, created };
}

async function metric(type: string, outcome: string): Promise<number> {
  const m = await metricsRegistry.getSingleMetric('activation_decisions_total')?.get();
  return m?.values.find((v) => v.labels.type === type && v.labels.outcome === outcome)?.value ?? 0;
}

describe('IntakeService (patient.created → activation, DESIGN §2 rule 10)', () => {
  it('rules on: each type is activated with its rule\'s assigned team members, by the activation-rules actor, and recorded', async () => {
    const { intake, settings, channels, decisions, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    await settings.put({ actor: admin, type: 'service_team', autoActivate: true, teamMemberIds: ['tm_b'] });
    const before = await metric('care_team', 'activated');
    await intake.patientCreated(created({ patientId: 'pt_1' }));
    expect(channels.calls).toEqual([
      { orgId: ORG, patientId: 'pt_1', type: 'care_team', teamMemberIds: ['tm_a'], actorId: INTAKE_ACTOR_ID, reason: 'activation_rule_assigned' },
      { orgId: ORG, patientId: 'pt_1', type: 'service_team', teamMemberIds: ['tm_b'], actorId: INTAKE_ACTOR_ID, reason: 'activation_rule_assigned' },
    ]);
    expect(decisions.decisions.map((d) => [d.type, d.outcome, d.teamMemberIds, d.pending])).toEqual([
      ['care_team', 'activated', ['tm_a'], false],
      ['service_team', 'activated', ['tm_b'], false],
    ]);
    expect(await metric('care_team', 'activated')).toBe(before + 1);
  });

  it('rules off (never set): nothing is activated; the decision skipped_rule_off is recorded and counted', async () => {
    const { intake, channels, decisions, created } = setup();
    const before = await metric('service_team', 'skipped_rule_off');
    await intake.patientCreated(created({ patientId: 'pt_1', allocationClinicianId: 'tm_clin' }));
    expect(channels.calls).toEqual([]);
    expect(decisions.decisions.map((d) => d.outcome)).toEqual(['skipped_rule_off', 'skipped_rule_off']);
    expect(await metric('service_team', 'skipped_rule_off')).toBe(before + 1);
  });

  it('duplicates (same event again, or a new event id for the same patient) are no-ops: one activation call per type', async () => {
    const { intake, settings, channels, decisions, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    const input = created({ patientId: 'pt_1' });
    await intake.patientCreated(input);
    await intake.patientCreated(input);
    await intake.patientCreated({ ...input, eventId: 'evt_other' });
    expect(channels.calls.filter((c) => c.type === 'care_team')).toHaveLength(1);
    expect(decisions.decisions).toHaveLength(2);
  });

  it('rule changes apply to patients created afterwards: a patient decided with the rule off stays so on a later duplicate', async () => {
    const { intake, settings, channels, created } = setup();
    await intake.patientCreated(created({ patientId: 'pt_early' }));
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    await intake.patientCreated(created({ patientId: 'pt_early' }, { eventId: 'evt_again' }));
    await intake.patientCreated(created({ patientId: 'pt_late' }));
    expect(channels.calls.map((c) => c.patientId)).toEqual(['pt_late']);
  });

  it('assigned members all archived: the allocation clinician staffs the channel', async () => {
    const { intake, settings, channels, teamMembers, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    await teamMembers.markArchived(ORG, 'tm_a');
    await intake.patientCreated(created({ patientId: 'pt_1', allocationClinicianId: 'tm_clin' }));
    expect(channels.calls).toEqual([expect.objectContaining({ type: 'care_team', teamMemberIds: ['tm_clin'], reason: 'activation_rule_allocation_clinician' })]);
  });

  it('nobody to staff with: not activated, recorded needs_staffing and listed for settings:manage users until a channel appears', async () => {
    const { intake, settings, channels, created } = setup();
    await settings.put({ actor: admin, type: 'service_team', autoActivate: true, teamMemberIds: [] });
    await intake.patientCreated(created({ patientId: 'pt_1' }));
    expect(channels.calls).toEqual([]);
    expect(await intake.pending(admin)).toEqual([{ patientId: 'pt_1', type: 'service_team', decidedAt: expect.any(String) }]);
    expect(await intake.pending(admin, 'care_team')).toEqual([]);
    await expect(intake.pending(teamMemberActor({ orgId: ORG }))).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(intake.pending(patientActor({ orgId: ORG, perms: ['settings:manage'] }))).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(await intake.pending(teamMemberActor({ orgId: 'org_2', perms: ['settings:manage'] }))).toEqual([]);

    // A manual activation (channel.created) resolves it.
    await intake.channelCreated(ORG, { id: 'ch_9', type: 'service_team', patientId: 'pt_1', members: [], needsStaffing: false, version: 1 });
    expect(await intake.pending(admin)).toEqual([]);
  });

  it('an allocation clinician unknown to the projection is waited for (retry) and then treated as not active on the last attempt', async () => {
    const { intake, settings, channels, decisions, teamMembers, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: [] });
    const input = created({ patientId: 'pt_1', allocationClinicianId: 'tm_late' });
    await expect(intake.patientCreated(input)).rejects.toThrow('tm_late is not known yet');
    expect(decisions.decisions.filter((d) => d.type === 'care_team')).toEqual([]);

    // Arrives before the next attempt: it staffs the channel.
    teamMembers.add(ORG, 'tm_late');
    await intake.patientCreated({ ...input, attempt: 2 });
    expect(channels.calls).toEqual([expect.objectContaining({ type: 'care_team', teamMemberIds: ['tm_late'] })]);

    // Never arrives: the last attempt flags the patient instead of dead-lettering.
    const other = created({ patientId: 'pt_2', allocationClinicianId: 'tm_never' });
    await intake.patientCreated({ ...other, attempt: MAX_ATTEMPTS });
    expect(decisions.decisions.find((d) => d.patientId === 'pt_2' && d.type === 'care_team')).toMatchObject({ outcome: 'needs_staffing', pending: true });
  });

  it('channels does not know the patient yet (PATIENT_NOT_FOUND): thrown for a retry, nothing recorded; the retry activates', async () => {
    const { intake, settings, channels, decisions, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    const input = created({ patientId: 'pt_1' });
    channels.knownPatients.clear();
    await expect(intake.patientCreated(input)).rejects.toThrow(/care_team: PATIENT_NOT_FOUND/);
    expect(decisions.decisions.filter((d) => d.type === 'care_team')).toEqual([]);
    channels.knownPatients.add(`${ORG}:pt_1`);
    await intake.patientCreated({ ...input, attempt: 2 });
    expect(decisions.decisions.find((d) => d.type === 'care_team')).toMatchObject({ outcome: 'activated', channelId: 'ch_1' });
  });

  it('one type failing does not hold back the other, and the failure is rethrown (retried, then dead-lettered by the transport)', async () => {
    const { intake, settings, channels, decisions, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    await settings.put({ actor: admin, type: 'service_team', autoActivate: true, teamMemberIds: ['tm_b'] });
    channels.failures.push(new DomainError(ErrorCode.RpcTimeout, 'the channels service did not answer within 5000 ms'));
    await expect(intake.patientCreated(created({ patientId: 'pt_1' }))).rejects.toThrow(/care_team: RPC_TIMEOUT/);
    expect(decisions.decisions.map((d) => d.type)).toEqual(['service_team']);
  });

  it('an existing channel (e.g. activated by hand first) is recorded as is, with its own team members', async () => {
    const { intake, settings, channels, decisions, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    const input = created({ patientId: 'pt_1' });
    await channels.activateForPatient({ orgId: ORG, patientId: 'pt_1', type: 'care_team', teamMemberIds: ['tm_b'], actorId: 'tm_b' });
    await intake.patientCreated(input);
    expect(decisions.decisions.find((d) => d.type === 'care_team')).toMatchObject({ outcome: 'activated', teamMemberIds: ['tm_b'] });
  });

  it('each decision is logged with ids only: no patient names (no PHI in logs)', async () => {
    const { intake, settings, channels, created } = setup();
    await settings.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void lines.push(String(args[0]))),
    );
    try {
      const input = created({ patientId: 'pt_1', firstName: 'Zelda', lastName: 'Secretname' });
      channels.failures.push(new Error('boom'));
      await expect(intake.patientCreated(input)).rejects.toThrow('boom');
      await intake.patientCreated({ ...input, attempt: 2 });
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/intake decision org=org_1 patient=pt_1 type=care_team outcome=activated .*teamMembers=\[tm_a\]/)]));
    expect(lines.filter((l) => /Zelda|Secretname/.test(l))).toEqual([]);
  });
});
