import { Schema } from 'mongoose';

/** Patients as told by the patient service (projection; names stay inside this service). */
export interface PatientDoc {
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

export const PatientSchema = new Schema<PatientDoc>(
  {
    orgId: { type: String, required: true },
    patientId: { type: String, required: true },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    email: { type: String, default: null },
    allocationClinicianId: { type: String, default: null },
    displayName: { type: String, default: null },
    avatarMediaId: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'patients', versionKey: false },
);
// serves: lookups of one patient by id within an organisation (events, activation, /me)
PatientSchema.index({ orgId: 1, patientId: 1 }, { unique: true });

/** Team members as told by the staff directory. */
export interface TeamMemberDoc {
  orgId: string;
  teamMemberId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  title: string | null;
  archived: boolean;
  updatedAt: Date;
}

export const TeamMemberSchema = new Schema<TeamMemberDoc>(
  {
    orgId: { type: String, required: true },
    teamMemberId: { type: String, required: true },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    email: { type: String, default: null },
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
