import 'reflect-metadata';
import { DomainError, ErrorCode, PATIENT_EXPORTED_ACTION } from '@wellifiy/contracts';
import { managerActor, teamMemberActor } from '@wellifiy/testing';
import { AuditEntry, AuditQuery, AuditRepository } from '../audit/audit.repository';
import { channelFixture, FakeChannelsRepository, FakeDirectoryRepository } from '../channels/channels.fakes';
import { PatientExportService } from './patient-export.service';

/** Insert-only trail, as the real one; listing is not what the export uses. */
class FakeAuditRepository extends AuditRepository {
  readonly entries: AuditEntry[] = [];
  async append(entry: AuditEntry): Promise<void> {
    this.entries.push({ ...entry });
  }
  async list(_orgId: string, _q: AuditQuery): Promise<AuditEntry[]> {
    return [];
  }
}

describe('PatientExportService (what a chart export covers)', () => {
  const officer = teamMemberActor({ userId: 'tm_officer', perms: ['audit:read'] });
  let channels: FakeChannelsRepository;
  let directory: FakeDirectoryRepository;
  let audit: FakeAuditRepository;
  let service: PatientExportService;

  beforeEach(async () => {
    channels = new FakeChannelsRepository();
    directory = new FakeDirectoryRepository();
    audit = new FakeAuditRepository();
    service = new PatientExportService(channels, directory, audit);
    await directory.insertPatientIfAbsent('org_1', 'pt_1', { firstName: 'Pat', lastName: 'Ient', email: null, allocationClinicianId: null });
    await directory.insertPatientIfAbsent('org_1', 'pt_2', { firstName: 'Other', lastName: 'Patient', email: null, allocationClinicianId: null });
    await directory.updatePatient('org_1', 'pt_2', { displayName: 'Otto' });
    await directory.insertTeamMemberIfAbsent('org_1', 'tm_1', { firstName: 'Tess', lastName: 'Member', email: null, title: null });
    channels.channels.push(
      channelFixture({ id: 'ch_care', type: 'care_team', patientId: 'pt_1', members: [['pt_1', 'patient'], ['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_service', type: 'service_team', patientId: 'pt_1', members: [['pt_1', 'patient'], ['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_staff', type: 'staff', patientId: 'pt_1', members: [['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_group', type: 'group', members: [['pt_1', 'patient'], ['pt_2', 'patient'], ['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_dm', type: 'dm', members: [['tm_1', 'team_member'], ['tm_officer', 'team_member']] }),
      channelFixture({ id: 'ch_other_patient', type: 'care_team', patientId: 'pt_2', members: [['pt_2', 'patient'], ['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_other_org', type: 'care_team', patientId: 'pt_1', orgId: 'org_2', members: [['pt_1', 'patient']] }),
    );
  });

  it("covers the patient's care, service and group channels — never staff channels unless includeStaff, never DMs or others' channels", async () => {
    const plain = await service.scope({ actor: officer, patientId: 'pt_1' });
    expect(plain.channels.map((c) => c.id).sort()).toEqual(['ch_care', 'ch_group', 'ch_service']);
    const withStaff = await service.scope({ actor: officer, patientId: 'pt_1', includeStaff: true });
    expect(withStaff.channels.map((c) => c.id).sort()).toEqual(['ch_care', 'ch_group', 'ch_service', 'ch_staff']);
  });

  it('names the patient and every member with their real name, and gives members with when they joined', async () => {
    const scope = await service.scope({ actor: officer, patientId: 'pt_1' });
    expect(scope.patient).toEqual({ userId: 'pt_1', kind: 'patient', firstName: 'Pat', lastName: 'Ient', displayName: 'Pat' });
    expect(scope.people).toEqual(expect.arrayContaining([
      { userId: 'pt_2', kind: 'patient', firstName: 'Other', lastName: 'Patient', displayName: 'Otto' },
      { userId: 'tm_1', kind: 'team_member', firstName: 'Tess', lastName: 'Member', displayName: null },
    ]));
    expect(scope.channels.find((c) => c.id === 'ch_care')?.members).toEqual([
      { userId: 'pt_1', kind: 'patient', joinedAt: '2026-01-01T00:00:00.000Z' },
      { userId: 'tm_1', kind: 'team_member', joinedAt: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('durable audit: each export is a patient.exported entry, written before the scope is returned', async () => {
    const scope = await service.scope({ actor: officer, patientId: 'pt_1', includeStaff: true });
    expect(audit.entries).toEqual([
      expect.objectContaining({ orgId: 'org_1', actorId: 'tm_officer', action: PATIENT_EXPORTED_ACTION, patientId: 'pt_1', at: new Date(scope.exportedAt) }),
    ]);
  });

  it.each([
    ['a team member without audit:read', teamMemberActor(), ErrorCode.Forbidden],
    ['a manager without audit:read', managerActor(), ErrorCode.Forbidden],
  ])('%s is refused (403) and nothing is recorded', async (_label, actor, code) => {
    await expect(service.scope({ actor, patientId: 'pt_1' })).rejects.toMatchObject({ code });
    await expect(service.lookup(actor, ['tm_1'])).rejects.toBeInstanceOf(DomainError);
    expect(audit.entries).toEqual([]);
  });

  it("an unknown patient, or another organisation's, is 404", async () => {
    await expect(service.scope({ actor: officer, patientId: 'pt_nobody' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const elsewhere = teamMemberActor({ userId: 'tm_officer', orgId: 'org_2', perms: ['audit:read'] });
    await expect(service.scope({ actor: elsewhere, patientId: 'pt_2' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(audit.entries).toEqual([]);
  });

  it('looks up senders who are no longer members by id, within the organisation only', async () => {
    const found = await service.lookup(officer, ['tm_1', 'pt_2', 'nobody']);
    expect(found.map((p) => `${p.kind}:${p.userId}`).sort()).toEqual(['patient:pt_2', 'team_member:tm_1']);
    const elsewhere = teamMemberActor({ orgId: 'org_2', perms: ['audit:read'] });
    expect(await service.lookup(elsewhere, ['tm_1', 'pt_2'])).toEqual([]);
  });
});
