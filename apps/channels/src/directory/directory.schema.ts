import { Schema } from 'mongoose';
import type { SealedBox } from '@wellifiy/crypto';

/**
 * A personal field at rest: sealed with the key ring, bound to its record and field (`RecordCipher`). A plain
 * string is a value stored before sealing existed; it is sealed when the field is next written.
 */
export type SealedField = SealedBox | string;

/** Patients as told by the patient service (projection; names stay inside this service, sealed). */
export interface PatientDoc {
  orgId: string;
  patientId: string;
  firstName: SealedField;
  lastName: SealedField;
  email: SealedField | null;
  allocationClinicianId: string | null;
  displayName: SealedField | null;
  avatarMediaId: string | null;
  /** Set when the patient was erased: names, email and avatar are gone and later updates are ignored. */
  erasedAt?: Date | null;
  updatedAt: Date;
}

export const PatientSchema = new Schema<PatientDoc>(
  {
    orgId: { type: String, required: true },
    patientId: { type: String, required: true },
    firstName: { type: Object, required: true },
    lastName: { type: Object, required: true },
    email: { type: Object, default: null },
    allocationClinicianId: { type: String, default: null },
    displayName: { type: Object, default: null },
    avatarMediaId: { type: String, default: null },
    erasedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'patients', versionKey: false },
);
// serves: lookups of one patient by id within an organisation (events, activation, /me)
PatientSchema.index({ orgId: 1, patientId: 1 }, { unique: true });

/** Team members as told by the staff directory (names and email sealed like patients'). */
export interface TeamMemberDoc {
  orgId: string;
  teamMemberId: string;
  firstName: SealedField;
  lastName: SealedField;
  email: SealedField | null;
  title: string | null;
  archived: boolean;
  updatedAt: Date;
}

export const TeamMemberSchema = new Schema<TeamMemberDoc>(
  {
    orgId: { type: String, required: true },
    teamMemberId: { type: String, required: true },
    firstName: { type: Object, required: true },
    lastName: { type: Object, required: true },
    email: { type: Object, default: null },
    title: { type: String, default: null },
    archived: { type: Boolean, default: false },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'team_members', versionKey: false },
);
// serves: lookups of one team member by id within an organisation
TeamMemberSchema.index({ orgId: 1, teamMemberId: 1 }, { unique: true });

export const PATIENT_MODEL = 'Patient';
export const TEAM_MEMBER_MODEL = 'TeamMember';
