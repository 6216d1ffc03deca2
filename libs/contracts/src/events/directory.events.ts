import { IsEmail, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { envelopeOf, EventEnvelope } from '../envelope';

/** Inbound: published by the patient service and the staff directory (not NestJS; plain JSON). */
export const DirectoryEvents = {
  PatientCreated: 'patient.created',
  PatientUpdated: 'patient.updated',
  TeamMemberCreated: 'team-member.created',
  TeamMemberUpdated: 'team-member.updated',
  TeamMemberArchived: 'team-member.archived',
} as const;

const NAME_MAX = 200;

export class PatientCreatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName!: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  allocationClinicianId?: string;
}

export class PatientUpdatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName?: string;

  @IsOptional() @IsEmail()
  email?: string;

  /** null clears the allocation clinician. */
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsString() @MinLength(1) @MaxLength(128)
  allocationClinicianId?: string | null;
}

export class TeamMemberCreatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName!: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MaxLength(NAME_MAX)
  title?: string;
}

export class TeamMemberUpdatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName?: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MaxLength(NAME_MAX)
  title?: string;
}

export class TeamMemberArchivedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;
}

export interface DirectoryEventPayloads {
  [DirectoryEvents.PatientCreated]: PatientCreatedData;
  [DirectoryEvents.PatientUpdated]: PatientUpdatedData;
  [DirectoryEvents.TeamMemberCreated]: TeamMemberCreatedData;
  [DirectoryEvents.TeamMemberUpdated]: TeamMemberUpdatedData;
  [DirectoryEvents.TeamMemberArchived]: TeamMemberArchivedData;
}

export const PatientCreatedEvent = envelopeOf(PatientCreatedData);
export type PatientCreatedEvent = EventEnvelope<PatientCreatedData>;
export const PatientUpdatedEvent = envelopeOf(PatientUpdatedData);
export type PatientUpdatedEvent = EventEnvelope<PatientUpdatedData>;
export const TeamMemberCreatedEvent = envelopeOf(TeamMemberCreatedData);
export type TeamMemberCreatedEvent = EventEnvelope<TeamMemberCreatedData>;
export const TeamMemberUpdatedEvent = envelopeOf(TeamMemberUpdatedData);
export type TeamMemberUpdatedEvent = EventEnvelope<TeamMemberUpdatedData>;
export const TeamMemberArchivedEvent = envelopeOf(TeamMemberArchivedData);
export type TeamMemberArchivedEvent = EventEnvelope<TeamMemberArchivedData>;

export const DIRECTORY_EVENT_CLASSES: { [K in keyof DirectoryEventPayloads]: new () => object } = {
  [DirectoryEvents.PatientCreated]: PatientCreatedEvent,
  [DirectoryEvents.PatientUpdated]: PatientUpdatedEvent,
  [DirectoryEvents.TeamMemberCreated]: TeamMemberCreatedEvent,
  [DirectoryEvents.TeamMemberUpdated]: TeamMemberUpdatedEvent,
  [DirectoryEvents.TeamMemberArchived]: TeamMemberArchivedEvent,
};
