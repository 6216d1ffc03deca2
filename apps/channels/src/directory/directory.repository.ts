import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { KeyRing, RecordCipher } from '@wellifiy/crypto';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { PATIENT_MODEL, PatientDoc, TEAM_MEMBER_MODEL, TeamMemberDoc } from './directory.schema';

export interface Patient {
  orgId: string;
  patientId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  allocationClinicianId: string | null;
  displayName: string | null;
  avatarMediaId: string | null;
  updatedAt: Date;
}

export interface TeamMember {
  orgId: string;
  teamMemberId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  title: string | null;
  archived: boolean;
  updatedAt: Date;
}

export type PatientFields = Pick<Patient, 'firstName' | 'lastName' | 'email' | 'allocationClinicianId'>;
export type TeamMemberFields = Pick<TeamMember, 'firstName' | 'lastName' | 'email' | 'title'>;
export type PatientProfile = Pick<Patient, 'displayName' | 'avatarMediaId'>;

/** The fields sealed at rest: names, emails and the display name a patient chose. Lookups are by id only. */
const PATIENT_SEALED = ['firstName', 'lastName', 'email', 'displayName'] as const;
const TEAM_MEMBER_SEALED = ['firstName', 'lastName', 'email'] as const;

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
  private readonly patientCipher: RecordCipher;
  private readonly teamMemberCipher: RecordCipher;

  constructor(
    @InjectModel(PATIENT_MODEL) private readonly patients: Model<PatientDoc>,
    @InjectModel(TEAM_MEMBER_MODEL) private readonly teamMembers: Model<TeamMemberDoc>,
    ring: KeyRing,
  ) {
    super();
    this.patientCipher = new RecordCipher(ring, 'directory-patient');
    this.teamMemberCipher = new RecordCipher(ring, 'directory-team-member');
  }

  /* FerretDB drops null fields written by an upsert's $setOnInsert: read them back as null. */
  private toPatient(d: PatientDoc): Patient {
    const key = `${d.orgId}:${d.patientId}`;
    const open = (field: (typeof PATIENT_SEALED)[number]): string | null => this.patientCipher.open(key, field, d[field]);
    return {
      orgId: d.orgId,
      patientId: d.patientId,
      firstName: open('firstName') ?? '',
      lastName: open('lastName') ?? '',
      email: open('email'),
      allocationClinicianId: d.allocationClinicianId ?? null,
      displayName: open('displayName'),
      avatarMediaId: d.avatarMediaId ?? null,
      updatedAt: d.updatedAt,
    };
  }

  private toTeamMember(d: TeamMemberDoc): TeamMember {
    const key = `${d.orgId}:${d.teamMemberId}`;
    const open = (field: (typeof TEAM_MEMBER_SEALED)[number]): string | null => this.teamMemberCipher.open(key, field, d[field]);
    return {
      orgId: d.orgId,
      teamMemberId: d.teamMemberId,
      firstName: open('firstName') ?? '',
      lastName: open('lastName') ?? '',
      email: open('email'),
      title: d.title ?? null,
      archived: d.archived ?? false,
      updatedAt: d.updatedAt,
    };
  }

  async insertPatientIfAbsent(orgId: string, patientId: string, fields: PatientFields): Promise<void> {
    try {
      // A replayed patient.created must not overwrite later updates: insert-only.
      await this.patients.updateOne(
        { orgId, patientId },
        { $setOnInsert: { orgId, patientId, ...this.patientCipher.sealFields(`${orgId}:${patientId}`, fields, PATIENT_SEALED), displayName: null, avatarMediaId: null, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async updatePatient(orgId: string, patientId: string, fields: Partial<PatientFields & PatientProfile>): Promise<boolean> {
    // One atomic $set: concurrent updates of one patient (other fields, other replicas) all apply.
    // An erased patient's projection stays empty: a late or replayed update does not bring names back.
    // It is known (true), just not changed.
    const res = await this.patients.updateOne({ orgId, patientId, erasedAt: null }, { $set: { ...this.patientCipher.sealFields(`${orgId}:${patientId}`, fields, PATIENT_SEALED), updatedAt: new Date() } });
    return res.matchedCount === 1 || (await this.patients.exists({ orgId, patientId })) !== null;
  }

  async findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    const doc = await this.patients.findOne({ orgId, patientId }).lean<PatientDoc>();
    return doc ? this.toPatient(doc) : null;
  }

  async insertTeamMemberIfAbsent(orgId: string, teamMemberId: string, fields: TeamMemberFields): Promise<void> {
    try {
      await this.teamMembers.updateOne(
        { orgId, teamMemberId },
        { $setOnInsert: { orgId, teamMemberId, ...this.teamMemberCipher.sealFields(`${orgId}:${teamMemberId}`, fields, TEAM_MEMBER_SEALED), archived: false, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async updateTeamMember(orgId: string, teamMemberId: string, fields: Partial<TeamMemberFields & { archived: boolean }>): Promise<boolean> {
    const res = await this.teamMembers.updateOne({ orgId, teamMemberId }, { $set: { ...this.teamMemberCipher.sealFields(`${orgId}:${teamMemberId}`, fields, TEAM_MEMBER_SEALED), updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async findPatients(orgId: string, patientIds: string[]): Promise<Patient[]> {
    if (!patientIds.length) return [];
    const docs = await this.patients.find({ orgId, patientId: { $in: patientIds } }).lean<PatientDoc[]>();
    return docs.map((d) => this.toPatient(d));
  }

  async findTeamMembers(orgId: string, teamMemberIds: string[]): Promise<TeamMember[]> {
    if (!teamMemberIds.length) return [];
    const docs = await this.teamMembers.find({ orgId, teamMemberId: { $in: teamMemberIds } }).lean<TeamMemberDoc[]>();
    return docs.map((d) => this.toTeamMember(d));
  }

  async findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    const doc = await this.teamMembers.findOne({ orgId, teamMemberId }).lean<TeamMemberDoc>();
    return doc ? this.toTeamMember(doc) : null;
  }
}
