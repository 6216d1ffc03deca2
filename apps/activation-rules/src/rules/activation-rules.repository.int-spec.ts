import type { Connection } from 'mongoose';
import { KeyRing } from '@wellifiy/crypto';
import { EventPublisher, EventSeal, OutboxRelay } from '@wellifiy/messaging';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, uniqueName } from '@wellifiy/testing';
import { INTAKE_DECISION_MODEL, IntakeDecisionSchema } from '../intake/intake-decision.schema';
import { IntakeDecision, IntakeDecisionsRepository, MongoIntakeDecisionsRepository } from '../intake/intake-decisions.repository';
import { TEAM_MEMBER_MODEL, TeamMemberSchema } from '../team-members/team-member.schema';
import { MongoTeamMembersRepository, TeamMembersRepository } from '../team-members/team-members.repository';
import { ACTIVATION_RULE_CHANGE_MODEL, ACTIVATION_RULE_MODEL, ActivationRuleChangeSchema, ActivationRuleSchema } from './activation-rule.schema';
import { ActivationRule, ActivationRulesRepository, lastChangeOf, MongoActivationRulesRepository } from './activation-rules.repository';

describe('activation-rules repositories (FerretDB)', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  const ring = KeyRing.parse(`it1:${KeyRing.generateKey()}`, 'it1');
  const published: { id: string; type: string }[] = [];
  const publisher = { publishEnvelope: (e: { id: string; type: string }) => Promise.resolve(void published.push(e)) } as unknown as EventPublisher;
  let rules: ActivationRulesRepository;
  let decisions: IntakeDecisionsRepository;
  let teamMembers: TeamMembersRepository;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [
        { name: ACTIVATION_RULE_MODEL, schema: ActivationRuleSchema },
        { name: ACTIVATION_RULE_CHANGE_MODEL, schema: ActivationRuleChangeSchema },
        { name: INTAKE_DECISION_MODEL, schema: IntakeDecisionSchema },
        { name: TEAM_MEMBER_MODEL, schema: TeamMemberSchema },
      ],
      providers: [
        {
          provide: OutboxRelay,
          useValue: new OutboxRelay(publisher, 'it-activation-rules', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(ring)),
        },
        { provide: ActivationRulesRepository, useClass: MongoActivationRulesRepository },
        { provide: IntakeDecisionsRepository, useClass: MongoIntakeDecisionsRepository },
        { provide: TeamMembersRepository, useClass: MongoTeamMembersRepository },
      ],
    });
    rules = suite.moduleRef.get(ActivationRulesRepository);
    decisions = suite.moduleRef.get(IntakeDecisionsRepository);
    teamMembers = suite.moduleRef.get(TeamMembersRepository);
    connection = suite.db;
  });

  afterAll(() => suite?.close());

  const rule = (version: number, after: { autoActivate: boolean; teamMemberIds: string[] }, before: ActivationRule['lastChange']['before'], orgId = org): ActivationRule => {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version));
    return { orgId, type: 'care_team', ...after, version, updatedAt: at, updatedBy: 'tm_admin', lastChange: { actorId: 'tm_admin', at, before, after } };
  };

  it('saves version 1, then only the next version of what it read; the history is every change, newest first, per organisation', async () => {
    const v1 = rule(1, { autoActivate: true, teamMemberIds: ['tm_a'] }, null);
    expect(await rules.save(v1)).toBe(true);
    expect(await rules.save(rule(1, { autoActivate: false, teamMemberIds: [] }, null))).toBe(false); // someone saved v1 first
    const v2 = rule(2, { autoActivate: false, teamMemberIds: ['tm_a', 'tm_b'] }, { autoActivate: true, teamMemberIds: ['tm_a'] });
    expect(await rules.save(v2)).toBe(true);
    expect(await rules.save(rule(2, { autoActivate: true, teamMemberIds: [] }, null))).toBe(false); // stale: stored is v2 now

    expect(await rules.find(org, 'care_team')).toEqual(v2);
    expect(await rules.find(org, 'service_team')).toBeNull();
    expect(await rules.find(uniqueName('org'), 'care_team')).toBeNull();
    const history = await rules.history(org, 'care_team', 10);
    expect(history).toEqual([lastChangeOf(v2), lastChangeOf(v1)]);
    expect(history[1].before).toBeNull();
    expect(await rules.history(org, 'care_team', 1)).toEqual([lastChangeOf(v2)]);
    expect(await rules.history(uniqueName('org'), 'care_team', 10)).toEqual([]);
  });

  it('appending the same change twice keeps one entry (repair after an interrupted append)', async () => {
    const other = uniqueName('org');
    const v1 = rule(1, { autoActivate: true, teamMemberIds: [] }, null, other);
    await rules.save(v1);
    await rules.appendChange(lastChangeOf(v1));
    expect(await rules.history(other, 'care_team', 10)).toHaveLength(1);
  });

  it("durable audit: each change is stored with its audit.recorded event, relayed once under the change's id and cleared", async () => {
    const other = uniqueName('org');
    const v1 = rule(1, { autoActivate: true, teamMemberIds: [] }, null, other);
    await rules.save(v1);
    await suite.moduleRef.get(OutboxRelay).drain();
    const id = `rule-changed:${lastChangeOf(v1)._id}`;
    expect(published.filter((e) => e.id === id).map((e) => e.type)).toEqual(['audit.recorded']);
    const stored = await connection.collection('activation_rule_changes').findOne({ _id: lastChangeOf(v1)._id as never });
    expect(stored?.outbox).toEqual([]);
    expect(Object.keys((await rules.history(other, 'care_team', 10))[0] ?? {})).not.toContain('outbox');
  });

  it('records one decision per (org, patient, type); lists and resolves pending patients by organisation', async () => {
    const d = (patientId: string, over: Partial<IntakeDecision> = {}): IntakeDecision => ({
      orgId: org, patientId, type: 'service_team', outcome: 'needs_staffing', teamMemberIds: [], channelId: null, eventId: `evt_${patientId}`,
      decidedAt: new Date(), pending: true, ...over,
    });
    expect(await decisions.insertIfAbsent(d('pt_1', { decidedAt: new Date(Date.UTC(2026, 0, 1)) }))).toBe(true);
    expect(await decisions.insertIfAbsent(d('pt_1', { outcome: 'activated', pending: false }))).toBe(false);
    expect(await decisions.insertIfAbsent(d('pt_2', { decidedAt: new Date(Date.UTC(2026, 0, 2)) }))).toBe(true);
    expect(await decisions.insertIfAbsent(d('pt_3', { type: 'care_team', outcome: 'activated', teamMemberIds: ['tm_a'], channelId: 'ch_1', pending: false }))).toBe(true);
    expect(await decisions.find(org, 'pt_1', 'service_team')).toMatchObject({ outcome: 'needs_staffing', channelId: null, teamMemberIds: [] });
    expect(await decisions.find(org, 'pt_3', 'care_team')).toMatchObject({ outcome: 'activated', channelId: 'ch_1', teamMemberIds: ['tm_a'] });
    expect(await decisions.find(uniqueName('org'), 'pt_1', 'service_team')).toBeNull();

    expect((await decisions.listPending(org)).map((x) => x.patientId)).toEqual(['pt_1', 'pt_2']);
    expect(await decisions.listPending(org, 'care_team')).toEqual([]);
    expect(await decisions.listPending(uniqueName('org'))).toEqual([]);
    await decisions.resolvePending(org, 'pt_1', 'service_team', 'ch_9');
    expect((await decisions.listPending(org)).map((x) => x.patientId)).toEqual(['pt_2']);
    expect(await decisions.find(org, 'pt_1', 'service_team')).toMatchObject({ pending: false, channelId: 'ch_9', outcome: 'needs_staffing' });
  });

  it('team member statuses: known ids with their archived flag; unknown and other-organisation ids left out', async () => {
    await teamMembers.insertIfAbsent(org, 'tm_a');
    await teamMembers.insertIfAbsent(org, 'tm_b');
    await teamMembers.markArchived(org, 'tm_b');
    await teamMembers.insertIfAbsent('org_other', 'tm_c');
    const statuses = await teamMembers.statusesOf(org, ['tm_a', 'tm_b', 'tm_c', 'tm_nobody']);
    expect(statuses.sort((x, y) => x.teamMemberId.localeCompare(y.teamMemberId))).toEqual([
      { teamMemberId: 'tm_a', archived: false },
      { teamMemberId: 'tm_b', archived: true },
    ]);
    expect(await teamMembers.statusesOf(org, [])).toEqual([]);
  });
});
