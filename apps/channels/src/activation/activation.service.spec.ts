import 'reflect-metadata';
import { DomainError, ErrorCode, Events } from '@wellifiy/contracts';
import { FakeChannelsRepository } from '../channels/channels.fakes';
import { DirectoryRepository, Patient, TeamMember } from '../directory/directory.repository';
import { DirectoryService } from '../directory/directory.service';
import { ActivationService } from './activation.service';

const ORG = 'org_1';

/** Directory fake with seeding helpers (lookups filter by organisation like the real repository). */
class FakeDirectoryRepository implements Pick<DirectoryRepository, 'findPatient' | 'findTeamMember'> {
  readonly patients: Patient[] = [];
  readonly teamMembers: TeamMember[] = [];

  patient(orgId: string, patientId: string): this {
    this.patients.push({ orgId, patientId, firstName: 'P', lastName: 'Q', email: null, allocationClinicianId: null, displayName: null, avatarMediaId: null, updatedAt: new Date() });
    return this;
  }
  teamMember(orgId: string, teamMemberId: string, archived = false): this {
    this.teamMembers.push({ orgId, teamMemberId, firstName: 'T', lastName: 'M', email: null, title: null, archived, updatedAt: new Date() });
    return this;
  }
  async findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    return this.patients.find((p) => p.orgId === orgId && p.patientId === patientId) ?? null;
  }
  async findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    return this.teamMembers.find((t) => t.orgId === orgId && t.teamMemberId === teamMemberId) ?? null;
  }
}

function setup() {
  const repo = new FakeChannelsRepository();
  const directory = new FakeDirectoryRepository()
    .patient(ORG, 'pt_1')
    .teamMember(ORG, 'tm_a')
    .teamMember(ORG, 'tm_b')
    .teamMember(ORG, 'tm_old', true)
    .teamMember('org_2', 'tm_foreign')
    .patient('org_2', 'pt_foreign');
  const service = new ActivationService(repo, new DirectoryService(directory as unknown as DirectoryRepository));
  return { repo, service };
}

const request = (over: Partial<Parameters<ActivationService['activateForPatient']>[0]> = {}) => ({
  orgId: ORG, patientId: 'pt_1', type: 'care_team' as const, teamMemberIds: ['tm_a', 'tm_b'], actorId: 'activation-rules', ...over,
});

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('ActivationService.activateForPatient (system activation for patient intake)', () => {
  it('creates the channel with the patient and the chosen team members, created by the actor, with its channel.created in the same write', async () => {
    const { service, repo } = setup();
    const res = await service.activateForPatient(request({ reason: 'activation_rule_assigned' }));
    expect(res.created).toBe(true);
    expect(res.channel).toMatchObject({ orgId: ORG, type: 'care_team', patientId: 'pt_1', needsStaffing: false, archived: false });
    expect(res.channel.members).toEqual([
      { userId: 'pt_1', kind: 'patient' },
      { userId: 'tm_a', kind: 'team_member' },
      { userId: 'tm_b', kind: 'team_member' },
    ]);
    expect(repo.channels[0]).toMatchObject({ createdBy: 'activation-rules', uniqueKey: 'care_team:pt_1' });
    expect(repo.channels[0].members.map((m) => m.addedBy)).toEqual(['activation-rules', 'activation-rules', 'activation-rules']);
    expect(repo.outbox).toHaveLength(1);
    expect(repo.outbox[0]).toMatchObject({ type: Events.ChannelCreated });
    expect(JSON.stringify(repo.outbox[0])).toContain('activation_rule_assigned');
  });

  it('idempotent: an existing channel of that type is returned unchanged with created=false (no second channel, no new members)', async () => {
    const { service, repo } = setup();
    const first = await service.activateForPatient(request({ teamMemberIds: ['tm_a'] }));
    const again = await service.activateForPatient(request({ teamMemberIds: ['tm_b'] }));
    expect(again).toEqual({ channel: first.channel, created: false });
    expect(repo.channels).toHaveLength(1);
    expect(repo.outbox).toHaveLength(1);
  });

  it('a replayed intake gets the existing channel even if its team members were archived since (no CONFLICT, no retry loop)', async () => {
    const { service } = setup();
    const first = await service.activateForPatient(request({ teamMemberIds: ['tm_a'] }));
    const again = await service.activateForPatient(request({ teamMemberIds: ['tm_old'] }));
    expect(again).toEqual({ channel: first.channel, created: false });
  });

  it('care_team and service_team are separate channels for the same patient (rule 3)', async () => {
    const { service, repo } = setup();
    await service.activateForPatient(request({ type: 'care_team', teamMemberIds: ['tm_a'] }));
    const service_ = await service.activateForPatient(request({ type: 'service_team', teamMemberIds: ['tm_b'] }));
    expect(service_.created).toBe(true);
    expect(repo.channels.map((c) => c.uniqueKey).sort()).toEqual(['care_team:pt_1', 'service_team:pt_1']);
  });

  it('an unknown patient (or one of another organisation) is PATIENT_NOT_FOUND, so the intake retries', async () => {
    const { service, repo } = setup();
    expect((await domainError(service.activateForPatient(request({ patientId: 'pt_nobody' })))).code).toBe(ErrorCode.PatientNotFound);
    expect((await domainError(service.activateForPatient(request({ patientId: 'pt_foreign' })))).code).toBe(ErrorCode.PatientNotFound);
    expect(repo.channels).toEqual([]);
  });

  it('unknown, archived and other-organisation team members are dropped; duplicates kept once', async () => {
    const { service } = setup();
    const res = await service.activateForPatient(request({ teamMemberIds: ['tm_nobody', 'tm_old', 'tm_foreign', 'tm_b', 'tm_b'] }));
    expect(res.channel.members.map((m) => m.userId)).toEqual(['pt_1', 'tm_b']);
  });

  it('rule 4: when no chosen team member remains, nothing is created (CONFLICT)', async () => {
    const { service, repo } = setup();
    const err = await domainError(service.activateForPatient(request({ teamMemberIds: ['tm_old', 'tm_nobody'] })));
    expect(err.code).toBe(ErrorCode.Conflict);
    expect(repo.channels).toEqual([]);
  });

  it('losing a race with a concurrent activation returns the winner with created=false', async () => {
    const { service, repo } = setup();
    repo.beforeInsert = () => {
      repo.beforeInsert = undefined;
      const at = new Date();
      const members = [{ userId: 'pt_1', kind: 'patient' as const, joinedAt: at, addedBy: 'tm_a' }, { userId: 'tm_a', kind: 'team_member' as const, joinedAt: at, addedBy: 'tm_a' }];
      repo.channels.push({
        _id: 'ch_winner', orgId: ORG, type: 'care_team', patientId: 'pt_1', uniqueKey: 'care_team:pt_1', name: null, members, memberIds: ['pt_1', 'tm_a'],
        archivedBy: [], needsStaffing: false, createdBy: 'tm_a', createdAt: at, updatedAt: at, version: 1,
      });
    };
    const res = await service.activateForPatient(request());
    expect(res).toMatchObject({ created: false, channel: { id: 'ch_winner' } });
    expect(repo.channels).toHaveLength(1);
  });
});
