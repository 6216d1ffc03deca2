import 'reflect-metadata';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { FakeActivationRulesRepository, FakeTeamMembersRepository } from '../testing/fakes';
import { ActivationRulesService } from './activation-rules.service';

const ORG = 'org_1';
const admin = teamMemberActor({ userId: 'tm_admin', orgId: ORG, perms: ['settings:manage'] });

function setup() {
  const rules = new FakeActivationRulesRepository();
  const teamMembers = new FakeTeamMembersRepository().add(ORG, 'tm_a').add(ORG, 'tm_b').add(ORG, 'tm_old', true).add('org_2', 'tm_foreign');
  return { rules, teamMembers, service: new ActivationRulesService(rules, teamMembers) };
}

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('ActivationRulesService', () => {
  describe('settings:manage authorization (403 for everyone else)', () => {
    const denied = [
      ['a team member without settings:manage', teamMemberActor({ orgId: ORG, perms: ['messaging:manage'] })],
      ['a patient', patientActor({ orgId: ORG })],
      ['a patient whose token claims settings:manage', patientActor({ orgId: ORG, perms: ['settings:manage'] })],
    ] as const;

    it.each(denied)('%s cannot read, change or see the history of a rule', async (_, actor) => {
      const { service, rules } = setup();
      expect((await domainError(service.get(actor, 'care_team'))).code).toBe(ErrorCode.Forbidden);
      expect((await domainError(service.put({ actor, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] }))).code).toBe(ErrorCode.Forbidden);
      expect((await domainError(service.history(actor, 'care_team', 10))).code).toBe(ErrorCode.Forbidden);
      expect(rules.rules).toEqual([]);
    });

    it('a settings:manage team member sees a rule nobody set as off with nobody assigned', async () => {
      const { service } = setup();
      expect(await service.get(admin, 'service_team')).toEqual({ type: 'service_team', autoActivate: false, teamMemberIds: [], updatedAt: null, updatedBy: null });
    });

    it("rules are per organisation: another organisation's admin sees its own (unset) rule", async () => {
      const { service } = setup();
      await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
      const other = teamMemberActor({ userId: 'tm_admin', orgId: 'org_2', perms: ['settings:manage'] });
      expect(await service.get(other, 'care_team')).toMatchObject({ autoActivate: false, teamMemberIds: [] });
      expect(await service.history(other, 'care_team', 10)).toEqual([]);
    });
  });

  describe('teamMemberIds validation', () => {
    it.each([
      ['unknown', 'tm_nobody'],
      ['archived', 'tm_old'],
      ['of another organisation', 'tm_foreign'],
    ])('an %s team member is refused with UNKNOWN_USER naming only them, and nothing changes', async (_, bad) => {
      const { service, rules } = setup();
      const err = await domainError(service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a', bad] }));
      expect(err.code).toBe(ErrorCode.UnknownUser);
      expect(err.message).toContain(bad);
      expect(err.message).not.toContain('tm_a');
      expect(err.details).toEqual({ teamMemberIds: [bad] });
      expect(rules.rules).toEqual([]);
      expect(rules.changes).toEqual([]);
    });

    it('active team members are saved once each, in the given order', async () => {
      const { service } = setup();
      const view = await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_b', 'tm_a', 'tm_b'] });
      expect(view).toEqual({ type: 'care_team', autoActivate: true, teamMemberIds: ['tm_b', 'tm_a'], updatedAt: expect.any(String), updatedBy: 'tm_admin' });
      expect(await service.get(admin, 'care_team')).toEqual(view);
    });
  });

  describe('audit trail', () => {
    it('every change is recorded with who, before, after and when, newest first', async () => {
      const { service } = setup();
      await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
      const other = teamMemberActor({ userId: 'tm_admin2', orgId: ORG, perms: ['settings:manage'] });
      await service.put({ actor: other, type: 'care_team', autoActivate: false, teamMemberIds: ['tm_a', 'tm_b'] });
      const history = await service.history(admin, 'care_team', 10);
      expect(history).toEqual([
        { id: 'org_1:care_team:2', type: 'care_team', actorId: 'tm_admin2', at: expect.any(String), before: { autoActivate: true, teamMemberIds: ['tm_a'] }, after: { autoActivate: false, teamMemberIds: ['tm_a', 'tm_b'] } },
        { id: 'org_1:care_team:1', type: 'care_team', actorId: 'tm_admin', at: expect.any(String), before: null, after: { autoActivate: true, teamMemberIds: ['tm_a'] } },
      ]);
      expect(await service.history(admin, 'care_team', 1)).toHaveLength(1);
      expect(await service.history(admin, 'service_team', 10)).toEqual([]);
    });

    it('a PUT that changes nothing is not a change: no new version, no audit entry', async () => {
      const { service, rules } = setup();
      await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
      await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
      expect(rules.changes).toHaveLength(1);
      expect(rules.rules[0].version).toBe(1);
    });

    it('a change whose audit append was interrupted is still in the history (the rule carries its last change)', async () => {
      const { service, rules } = setup();
      rules.failAppendOnce = true;
      await expect(service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] })).rejects.toThrow('crashed');
      expect(rules.changes).toEqual([]);
      expect(await service.history(admin, 'care_team', 10)).toEqual([expect.objectContaining({ actorId: 'tm_admin', before: null, after: { autoActivate: true, teamMemberIds: ['tm_a'] } })]);
    });

    it('a concurrent change in between is not overwritten blindly: the write retries from the newer version and audits against it', async () => {
      const { service, rules } = setup();
      await service.put({ actor: admin, type: 'care_team', autoActivate: false, teamMemberIds: [] });
      let raced = false;
      rules.beforeSave = () => {
        if (raced) return;
        raced = true;
        const r = rules.rules[0];
        rules.rules[0] = { ...r, autoActivate: true, teamMemberIds: ['tm_b'], version: 2, lastChange: { ...r.lastChange, actorId: 'tm_other', before: { autoActivate: false, teamMemberIds: [] }, after: { autoActivate: true, teamMemberIds: ['tm_b'] } } };
      };
      await service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] });
      const history = await service.history(admin, 'care_team', 10);
      expect(history.map((h) => h.actorId)).toEqual(['tm_admin', 'tm_other', 'tm_admin']);
      expect(history[0].before).toEqual({ autoActivate: true, teamMemberIds: ['tm_b'] });
    });

    it('a rule that keeps being changed by others gives up with CONFLICT', async () => {
      const { service, rules } = setup();
      rules.beforeSave = () => {
        for (const r of rules.rules) r.version += 1;
        if (!rules.rules.length) rules.rules.push({ orgId: ORG, type: 'care_team', autoActivate: false, teamMemberIds: [], version: 1, updatedAt: new Date(), updatedBy: 'x', lastChange: { actorId: 'x', at: new Date(), before: null, after: { autoActivate: false, teamMemberIds: [] } } });
      };
      expect((await domainError(service.put({ actor: admin, type: 'care_team', autoActivate: true, teamMemberIds: ['tm_a'] }))).code).toBe(ErrorCode.Conflict);
    });
  });

  describe('assigned team members (service to service)', () => {
    it('returns the rule\'s assigned team members that are still active, whatever autoActivate says', async () => {
      const { service, teamMembers } = setup();
      await service.put({ actor: admin, type: 'service_team', autoActivate: false, teamMemberIds: ['tm_a', 'tm_b'] });
      await teamMembers.markArchived(ORG, 'tm_a');
      expect(await service.assignedTeamMembers(ORG, 'service_team')).toEqual(['tm_b']);
      expect(await service.assignedTeamMembers(ORG, 'care_team')).toEqual([]);
      expect(await service.assignedTeamMembers('org_2', 'service_team')).toEqual([]);
    });
  });
});
