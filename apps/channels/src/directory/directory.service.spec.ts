import 'reflect-metadata';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import {
  DirectoryRepository, Patient, PatientFields, TeamMember, TeamMemberFields,
} from './directory.repository';
import { DirectoryService, NotYetKnownError } from './directory.service';

/** In-memory directory, keyed by organisation and id, with the insert-only semantics of the real one. */
class FakeDirectoryRepository extends DirectoryRepository {
  readonly patients = new Map<string, Patient>();
  readonly teamMembers = new Map<string, TeamMember>();

  async insertPatientIfAbsent(orgId: string, patientId: string, fields: PatientFields): Promise<void> {
    const key = `${orgId}/${patientId}`;
    if (this.patients.has(key)) return;
    this.patients.set(key, { orgId, patientId, ...fields, displayName: null, avatarMediaId: null, updatedAt: new Date() });
  }

  async updatePatient(orgId: string, patientId: string, fields: Partial<PatientFields>): Promise<boolean> {
    const p = this.patients.get(`${orgId}/${patientId}`);
    if (!p) return false;
    Object.assign(p, fields, { updatedAt: new Date() });
    return true;
  }

  async findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    const p = this.patients.get(`${orgId}/${patientId}`);
    return p ? { ...p } : null;
  }

  async insertTeamMemberIfAbsent(orgId: string, teamMemberId: string, fields: TeamMemberFields): Promise<void> {
    const key = `${orgId}/${teamMemberId}`;
    if (this.teamMembers.has(key)) return;
    this.teamMembers.set(key, { orgId, teamMemberId, ...fields, archived: false, updatedAt: new Date() });
  }

  async updateTeamMember(orgId: string, teamMemberId: string, fields: Partial<TeamMemberFields & { archived: boolean }>): Promise<boolean> {
    const t = this.teamMembers.get(`${orgId}/${teamMemberId}`);
    if (!t) return false;
    Object.assign(t, fields, { updatedAt: new Date() });
    return true;
  }

  async findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    const t = this.teamMembers.get(`${orgId}/${teamMemberId}`);
    return t ? { ...t } : null;
  }
  async findPatients(orgId: string, ids: string[]): Promise<Patient[]> {
    return ids.flatMap((id) => this.patients.get(`${orgId}/${id}`) ?? []).map((p) => ({ ...p }));
  }
  async findTeamMembers(orgId: string, ids: string[]): Promise<TeamMember[]> {
    return ids.flatMap((id) => this.teamMembers.get(`${orgId}/${id}`) ?? []).map((t) => ({ ...t }));
  }
}

describe('DirectoryService', () => {
  let repo: FakeDirectoryRepository;
  let directory: DirectoryService;

  beforeEach(() => {
    repo = new FakeDirectoryRepository();
    directory = new DirectoryService(repo);
  });

  describe('patient events', () => {
    it('stores a created patient with optional fields defaulted to null', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });

      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({
        orgId: 'org_1', patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace',
        email: null, allocationClinicianId: null, displayName: null, avatarMediaId: null,
      });
    });

    it('a replayed patient.created does not overwrite later updates', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', allocationClinicianId: 'tm_1' });
      await directory.patientUpdated('org_1', { patientId: 'pat_1', firstName: 'Augusta', allocationClinicianId: 'tm_2' });

      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', allocationClinicianId: 'tm_1' });

      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace', allocationClinicianId: 'tm_2' });
    });

    it('an update changes only the fields it carries', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });

      await directory.patientUpdated('org_1', { patientId: 'pat_1', lastName: 'King' });

      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ firstName: 'Ada', lastName: 'King', email: 'ada@example.com' });
    });

    it('an update with allocationClinicianId null clears the allocation clinician', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', allocationClinicianId: 'tm_1' });

      await directory.patientUpdated('org_1', { patientId: 'pat_1', allocationClinicianId: null });

      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ allocationClinicianId: null });
    });

    it('an update of an unknown patient throws NotYetKnownError (retried until patient.created arrives)', async () => {
      await expect(directory.patientUpdated('org_1', { patientId: 'pat_unknown', firstName: 'X' })).rejects.toBeInstanceOf(NotYetKnownError);
    });

    it('a patient of another organisation is unknown here (tenant isolation)', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });

      expect(await directory.findPatient('org_2', 'pat_1')).toBeNull();
      await expect(directory.patientUpdated('org_2', { patientId: 'pat_1', firstName: 'X' })).rejects.toThrow(NotYetKnownError);
    });
  });

  describe('team member events', () => {
    it('a replayed team-member.created does not overwrite later updates', async () => {
      await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper', title: 'RN' });
      await directory.teamMemberUpdated('org_1', { teamMemberId: 'tm_1', title: 'Dr' });

      await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper', title: 'RN' });

      expect(await directory.findTeamMember('org_1', 'tm_1')).toMatchObject({ firstName: 'Grace', title: 'Dr', archived: false });
    });

    it('an update of an unknown team member throws NotYetKnownError', async () => {
      await expect(directory.teamMemberUpdated('org_1', { teamMemberId: 'tm_unknown', firstName: 'X' })).rejects.toBeInstanceOf(NotYetKnownError);
    });

    it('archiving an unknown team member throws NotYetKnownError', async () => {
      await expect(directory.teamMemberArchived('org_1', { teamMemberId: 'tm_unknown' })).rejects.toBeInstanceOf(NotYetKnownError);
    });

    it('team-member.archived marks the team member archived', async () => {
      await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper' });

      await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_1' });

      expect(await directory.findTeamMember('org_1', 'tm_1')).toMatchObject({ archived: true, firstName: 'Grace' });
    });
  });

  describe('me', () => {
    it('rule 9: a patient without a chosen display name gets their first name as display name', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });

      expect(await directory.me(patientActor({ userId: 'pat_1' }))).toEqual({
        userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [],
        firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada', avatarMediaId: null,
      });
    });

    it('rule 9: a patient with a chosen display name and avatar gets them back', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });
      const stored = repo.patients.get('org_1/pat_1');
      if (!stored) throw new Error('fixture missing');
      stored.displayName = 'Countess';
      stored.avatarMediaId = 'med_1';

      expect(await directory.me(patientActor({ userId: 'pat_1' }))).toMatchObject({ displayName: 'Countess', avatarMediaId: 'med_1', firstName: 'Ada' });
    });

    it('a team member sees their real name', async () => {
      await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper' });

      expect(await directory.me(teamMemberActor({ userId: 'tm_1', perms: ['messaging:manage'] }))).toEqual({
        userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'],
        firstName: 'Grace', lastName: 'Hopper', displayName: 'Grace Hopper', avatarMediaId: null,
      });
    });

    it('a patient the directory has not heard of gets their identity with null names', async () => {
      expect(await directory.me(patientActor({ userId: 'pat_new' }))).toEqual({
        userId: 'pat_new', orgId: 'org_1', kind: 'patient', perms: [],
        firstName: null, lastName: null, displayName: null, avatarMediaId: null,
      });
    });

    it('a team member the directory has not heard of gets their identity with null names', async () => {
      expect(await directory.me(teamMemberActor({ userId: 'tm_new' }))).toEqual({
        userId: 'tm_new', orgId: 'org_1', kind: 'team_member', perms: [],
        firstName: null, lastName: null, displayName: null, avatarMediaId: null,
      });
    });

    it('a patient id known only in another organisation is unknown to me (tenant isolation)', async () => {
      await directory.patientCreated('org_2', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });

      expect(await directory.me(patientActor({ userId: 'pat_1', orgId: 'org_1' }))).toMatchObject({ firstName: null, displayName: null });
    });
  });

  describe('updateProfile (rule 9)', () => {
    const patient = patientActor({ userId: 'pat_1' });

    beforeEach(async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });
    });

    it('rule 9: team members cannot set a display name or avatar (FORBIDDEN)', async () => {
      await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper' });

      await expect(directory.updateProfile(teamMemberActor({ userId: 'tm_1' }), { displayName: 'Amazing Grace' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await directory.findTeamMember('org_1', 'tm_1')).toMatchObject({ firstName: 'Grace', lastName: 'Hopper' });
    });

    it('rule 9: a patient sets a trimmed display name and an avatar and gets their profile back', async () => {
      const me = await directory.updateProfile(patient, { displayName: '  Countess  ', avatarMediaId: 'med_1' });

      expect(me).toEqual({
        userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [],
        firstName: 'Ada', lastName: 'Lovelace', displayName: 'Countess', avatarMediaId: 'med_1',
      });
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ displayName: 'Countess', avatarMediaId: 'med_1', firstName: 'Ada', lastName: 'Lovelace' });
    });

    it('rule 9: a field left out is unchanged', async () => {
      await directory.updateProfile(patient, { displayName: 'Countess', avatarMediaId: 'med_1' });

      await directory.updateProfile(patient, { avatarMediaId: 'med_2' });
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ displayName: 'Countess', avatarMediaId: 'med_2' });

      await directory.updateProfile(patient, { displayName: 'Ada L' });
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ displayName: 'Ada L', avatarMediaId: 'med_2' });
    });

    it.each([null, '', '   '])('rule 9: display name %p clears it back to the default first name', async (displayName) => {
      await directory.updateProfile(patient, { displayName: 'Countess' });

      const me = await directory.updateProfile(patient, { displayName });

      expect(me.displayName).toBe('Ada');
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ displayName: null });
    });

    it('rule 9: avatar null clears the avatar', async () => {
      await directory.updateProfile(patient, { avatarMediaId: 'med_1' });

      const me = await directory.updateProfile(patient, { avatarMediaId: null });

      expect(me.avatarMediaId).toBeNull();
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ avatarMediaId: null });
    });

    it('a patient unknown to the directory gets NOT_FOUND', async () => {
      await expect(directory.updateProfile(patientActor({ userId: 'pat_new' }), { displayName: 'New' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await directory.findPatient('org_1', 'pat_new')).toBeNull();
    });

    it('rule 1: a patient known only in another organisation gets NOT_FOUND and the other record is untouched', async () => {
      await expect(directory.updateProfile(patientActor({ userId: 'pat_1', orgId: 'org_2' }), { displayName: 'Hijack' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await directory.findPatient('org_1', 'pat_1')).toMatchObject({ displayName: null });
    });
  });
});
