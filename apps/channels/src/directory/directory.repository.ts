import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { PATIENT_MODEL, PatientDoc, TEAM_MEMBER_MODEL, TeamMemberDoc } from './directory.schema';

export type Patient = PatientDoc;
export type TeamMember = TeamMemberDoc;

export type PatientFields = Pick<PatientDoc, 'firstName' | 'lastName' | 'email' | 'allocationClinicianId'>;
export type TeamMemberFields = Pick<TeamMemberDoc, 'firstName' | 'lastName' | 'email' | 'title'>;
export type PatientProfile = Pick<PatientDoc, 'displayName' | 'avatarMediaId'>;

/* FerretDB drops null fields written by an upsert's $setOnInsert: read them back as null. */
const toPatient = (d: PatientDoc): Patient => ({
  orgId: d.orgId,
  patientId: d.patientId,
  firstName: d.firstName,
  lastName: d.lastName,
  email: d.email ?? null,
  allocationClinicianId: d.allocationClinicianId ?? null,
  displayName: d.displayName ?? null,
  avatarMediaId: d.avatarMediaId ?? null,
  updatedAt: d.updatedAt,
});

const toTeamMember = (d: TeamMemberDoc): TeamMember => ({
  orgId: d.orgId,
  teamMemberId: d.teamMemberId,
  firstName: d.firstName,
  lastName: d.lastName,
  email: d.email ?? null,
  title: d.title ?? null,
  archived: d.archived ?? false,
  updatedAt: d.updatedAt,
});

export abstract class DirectoryRepository {
  abstract insertPatientIfAbsent(orgId: string, patientId: string, fields: PatientFields): Promise<void>;
  /** false when the patient is unknown (yet). */
  abstract updatePatient(orgId: string, patientId: string, fields: Partial<PatientFields & PatientProfile>): Promise<boolean>;
  abstract findPatient(orgId: string, patientId: string): Promise<Patient | null>;
  abstract insertTeamMemberIfAbsent(orgId: string, teamMemberId: string, fields: TeamMemberFields): Promise<void>;
  abstract updateTeamMember(orgId: string, teamMemberId: string, fields: Partial<TeamMemberFields & { archived: boolean }>): Promise<boolean>;
  abstract findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null>;
  abstract findPatients(orgId: string, patientIds: string[]): Promise<Patient[]>;
  abstract findTeamMembers(orgId: string, teamMemberIds: string[]): Promise<TeamMember[]>;
}

@Injectable()
export class MongoDirectoryRepository extends DirectoryRepository {
  constructor(
    @InjectModel(PATIENT_MODEL) private readonly patients: Model<PatientDoc>,
    @InjectModel(TEAM_MEMBER_MODEL) private readonly teamMembers: Model<TeamMemberDoc>,
  ) {
    super();
  }

  async insertPatientIfAbsent(orgId: string, patientId: string, fields: PatientFields): Promise<void> {
    try {
      // A replayed patient.created must not overwrite later updates: insert-only.
      await this.patients.updateOne(
        { orgId, patientId },
        { $setOnInsert: { orgId, patientId, ...fields, displayName: null, avatarMediaId: null, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async updatePatient(orgId: string, patientId: string, fields: Partial<PatientFields & PatientProfile>): Promise<boolean> {
    // One atomic $set: concurrent updates of one patient (other fields, other replicas) all apply.
    const res = await this.patients.updateOne({ orgId, patientId }, { $set: { ...fields, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    const doc = await this.patients.findOne({ orgId, patientId }).lean<PatientDoc>();
    return doc ? toPatient(doc) : null;
  }

  async insertTeamMemberIfAbsent(orgId: string, teamMemberId: string, fields: TeamMemberFields): Promise<void> {
    try {
      await this.teamMembers.updateOne(
        { orgId, teamMemberId },
        { $setOnInsert: { orgId, teamMemberId, ...fields, archived: false, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async updateTeamMember(orgId: string, teamMemberId: string, fields: Partial<TeamMemberFields & { archived: boolean }>): Promise<boolean> {
    const res = await this.teamMembers.updateOne({ orgId, teamMemberId }, { $set: { ...fields, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async findPatients(orgId: string, patientIds: string[]): Promise<Patient[]> {
    if (!patientIds.length) return [];
    const docs = await this.patients.find({ orgId, patientId: { $in: patientIds } }).lean<PatientDoc[]>();
    return docs.map(toPatient);
  }

  async findTeamMembers(orgId: string, teamMemberIds: string[]): Promise<TeamMember[]> {
    if (!teamMemberIds.length) return [];
    const docs = await this.teamMembers.find({ orgId, teamMemberId: { $in: teamMemberIds } }).lean<TeamMemberDoc[]>();
    return docs.map(toTeamMember);
  }

  async findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    const doc = await this.teamMembers.findOne({ orgId, teamMemberId }).lean<TeamMemberDoc>();
    return doc ? toTeamMember(doc) : null;
  }
}
