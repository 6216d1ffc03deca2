import { getModelToken } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { MongoModule } from '@wellifiy/persistence';
import { KeyRing } from '@wellifiy/crypto';
import { IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, uniqueName } from '@wellifiy/testing';
import { DirectoryRepository, MongoDirectoryRepository } from './directory.repository';
import { PATIENT_MODEL, PatientDoc, PatientSchema, TEAM_MEMBER_MODEL, TeamMemberDoc, TeamMemberSchema } from './directory.schema';

describe('MongoDirectoryRepository (FerretDB)', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  let repo: DirectoryRepository;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [
        { name: PATIENT_MODEL, schema: PatientSchema },
        { name: TEAM_MEMBER_MODEL, schema: TeamMemberSchema },
      ],
      providers: [
        { provide: KeyRing, useValue: KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID) },
        { provide: DirectoryRepository, useClass: MongoDirectoryRepository },
      ],
    });
    repo = suite.moduleRef.get(DirectoryRepository);
    connection = suite.db;
  });

  afterAll(() => suite?.close());

  // The repository promises `displayName: string | null` etc.; FerretDB drops null values from an
  // upsert's $setOnInsert, so the fields must still come back as null, not be missing.
  it('insertPatientIfAbsent inserts a new patient with empty profile fields', async () => {
    const patientId = uniqueName('pat');
    await repo.insertPatientIfAbsent(org, patientId, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', allocationClinicianId: 'tm_1' });
    expect(await repo.findPatient(org, patientId)).toMatchObject({
      orgId: org, patientId, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', allocationClinicianId: 'tm_1',
      displayName: null, avatarMediaId: null,
    });
  });

  it('concurrent updates of one patient from two replicas keep every field (no per-process lock needed)', async () => {
    const patientId = uniqueName('pat');
    await repo.insertPatientIfAbsent(org, patientId, { firstName: 'Ada', lastName: 'Lovelace', email: null, allocationClinicianId: null });
    // a second repository over the same collection, as another replica of the service would be
    const other = new MongoDirectoryRepository(
      suite.moduleRef.get<Model<PatientDoc>>(getModelToken(PATIENT_MODEL)), suite.moduleRef.get<Model<TeamMemberDoc>>(getModelToken(TEAM_MEMBER_MODEL)), suite.moduleRef.get(KeyRing),
    );
    const updates = [
      { firstName: 'Augusta' },
      { lastName: 'King' },
      { email: 'ada@example.com' },
      { allocationClinicianId: 'tm_7' },
      { displayName: 'Countess' },
      { avatarMediaId: 'med_1' },
    ];
    expect(await Promise.all(updates.map((fields, i) => (i % 2 ? other : repo).updatePatient(org, patientId, fields)))).toEqual(updates.map(() => true));

    expect(await repo.findPatient(org, patientId)).toMatchObject(Object.assign({}, ...updates));
  });

  it('insertPatientIfAbsent does not overwrite an existing patient, nor later updates (replayed patient.created)', async () => {
    const patientId = uniqueName('pat');
    await repo.insertPatientIfAbsent(org, patientId, { firstName: 'Ada', lastName: 'Lovelace', email: null, allocationClinicianId: null });
    expect(await repo.updatePatient(org, patientId, { lastName: 'King', allocationClinicianId: 'tm_9' })).toBe(true);

    await repo.insertPatientIfAbsent(org, patientId, { firstName: 'Replayed', lastName: 'Replayed', email: 'x@example.com', allocationClinicianId: 'tm_0' });
    await Promise.all([1, 2, 3].map(() => repo.insertPatientIfAbsent(org, patientId, { firstName: 'Again', lastName: 'Again', email: null, allocationClinicianId: null })));

    const stored = await repo.findPatient(org, patientId);
    expect(stored).toMatchObject({ firstName: 'Ada', lastName: 'King', allocationClinicianId: 'tm_9' });
    expect(stored?.email ?? null).toBeNull();
    expect(await connection.collection('patients').countDocuments({ orgId: org, patientId })).toBe(1);
  });

  it('keeps organisations apart', async () => {
    const patientId = uniqueName('pat');
    const otherOrg = uniqueName('org');
    await repo.insertPatientIfAbsent(org, patientId, { firstName: 'A', lastName: 'A', email: null, allocationClinicianId: null });
    expect(await repo.findPatient(otherOrg, patientId)).toBeNull();
    expect(await repo.updatePatient(otherOrg, patientId, { firstName: 'Hijack' })).toBe(false);
    expect((await repo.findPatient(org, patientId))?.firstName).toBe('A');
  });

  it('updatePatient reports an unknown patient', async () => {
    expect(await repo.updatePatient(org, uniqueName('pat'), { firstName: 'Nobody' })).toBe(false);
  });

  it('insertTeamMemberIfAbsent does not overwrite, and archiving sticks across a replayed create', async () => {
    const teamMemberId = uniqueName('tm');
    await repo.insertTeamMemberIfAbsent(org, teamMemberId, { firstName: 'Grace', lastName: 'Hopper', email: null, title: 'RN' });
    expect(await repo.updateTeamMember(org, teamMemberId, { archived: true })).toBe(true);

    await repo.insertTeamMemberIfAbsent(org, teamMemberId, { firstName: 'Other', lastName: 'Name', email: null, title: null });

    expect(await repo.findTeamMember(org, teamMemberId)).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', title: 'RN', archived: true });
    expect(await connection.collection('team_members').countDocuments({ orgId: org, teamMemberId })).toBe(1);
  });

  it('item 3, plaintext PHI: patient and team-member names, emails and display names rest sealed in MongoDB, bound to their record', async () => {
    const patientId = uniqueName('pat');
    const teamMemberId = uniqueName('tm');
    const marker = uniqueName('Zed');
    await repo.insertPatientIfAbsent(org, patientId, { firstName: `${marker}-first`, lastName: `${marker}-last`, email: `${marker}@example.com`, allocationClinicianId: null });
    await repo.updatePatient(org, patientId, { lastName: `${marker}-renamed`, displayName: `${marker}-shown` });
    await repo.insertTeamMemberIfAbsent(org, teamMemberId, { firstName: `${marker}-tm`, lastName: `${marker}-tmlast`, email: `tm-${marker}@example.com`, title: null });

    const rawPatient = await connection.collection('patients').findOne({ orgId: org, patientId });
    const rawTeamMember = await connection.collection('team_members').findOne({ orgId: org, teamMemberId });
    expect(JSON.stringify([rawPatient, rawTeamMember])).not.toContain(marker);
    expect(rawPatient?.firstName).toMatchObject({ keyId: LOCAL_ENCRYPTION_ACTIVE_KEY_ID, ciphertext: expect.any(String) });
    expect(await repo.findPatient(org, patientId)).toMatchObject({
      firstName: `${marker}-first`, lastName: `${marker}-renamed`, email: `${marker}@example.com`, displayName: `${marker}-shown`,
    });
    expect(await repo.findTeamMember(org, teamMemberId)).toMatchObject({ firstName: `${marker}-tm`, email: `tm-${marker}@example.com` });

    // A sealed name copied onto another patient's record does not open there.
    const otherId = uniqueName('pat');
    await repo.insertPatientIfAbsent(org, otherId, { firstName: 'Other', lastName: 'Other', email: null, allocationClinicianId: null });
    await connection.collection('patients').updateOne({ orgId: org, patientId: otherId }, { $set: { firstName: rawPatient?.firstName } });
    await expect(repo.findPatient(org, otherId)).rejects.toThrow(/authentication failed/);
  });
});
