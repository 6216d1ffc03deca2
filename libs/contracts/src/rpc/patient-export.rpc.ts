import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ChannelType } from '../channel.types';
import { UserKind } from '../identity';
import { MessageView } from '../message.types';
import { ActorRequest, RpcEntry } from './common';

/*
 * A patient's conversations exported to the chart (GET /v1/admin/patients/:patientId/export, docs/fhir-export.md):
 * the channels service says which channels and people the export covers (and records the export in the audit
 * trail); the messages service then hands their timelines out page by page to the gateway, which writes the FHIR Bundle.
 */
export const PatientExportRpc = {
  ChannelsPatientExport: 'channels.patient-export',
  ChannelsExportPeople: 'channels.export-people',
  MessagesExportPage: 'messages.export-page',
} as const;

/** The action of the audit entry every export leaves (GET /v1/admin/audit?action=patient.exported). */
export const PATIENT_EXPORTED_ACTION = 'patient.exported';

export class PatientExportRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  /** Also the staff channels about the patient (which the patient never sees). */
  @IsOptional() @IsBoolean()
  includeStaff?: boolean;
}

export interface ExportMember {
  userId: string;
  kind: UserKind;
  joinedAt: string;
}

export interface ExportChannel {
  id: string;
  type: ChannelType;
  /** What its creator called it (group and staff channels), opened. */
  name: string | null;
  createdAt: string;
  /** The current members, each with when they joined. */
  members: ExportMember[];
}

/**
 * A person named in the export. Team members and the exported patient are named by their real name (the export is
 * for the organisation's own chart); another patient (a fellow member of a group) only by the display name they chose.
 */
export interface ExportPerson {
  userId: string;
  kind: UserKind;
  firstName: string | null;
  lastName: string | null;
  /** Patients: the name other patients see (their chosen display name, else their first name). */
  displayName: string | null;
}

export interface PatientExportScope {
  patient: ExportPerson;
  channels: ExportChannel[];
  /** Every current member of those channels, the patient included (earlier members: ChannelsExportPeople). */
  people: ExportPerson[];
  /** When the export was recorded in the audit trail. */
  exportedAt: string;
}

/** At most this many people per ChannelsExportPeople lookup (one page's senders). */
export const EXPORT_PEOPLE_MAX = 200;

/** Names of people an export mentions who are no longer members (a sender who left, an archived team member). */
export class ExportPeopleRequest extends ActorRequest {
  @IsArray() @ArrayMaxSize(EXPORT_PEOPLE_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  userIds!: string[];
}

/** Messages per export page (the gateway holds one page at a time). */
export const EXPORT_PAGE_MAX = 200;

/** One page of a channel's whole timeline, for an export by a compliance officer (audit:read), who need not be a member. */
export class ExportPageRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  /** Messages with a seq above this; 0 (or absent) for the first page. */
  @IsOptional() @IsInt() @Min(0)
  after?: number;

  @IsOptional() @IsInt() @Min(1) @Max(EXPORT_PAGE_MAX)
  limit?: number;
}

/** What an attachment of the page is (media that was removed since is left out). */
export interface ExportMedia {
  id: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export interface ExportPage {
  /** Ascending by seq, bodies opened; deleted messages as tombstones (`deleted: true`, no body). */
  messages: MessageView[];
  media: ExportMedia[];
  hasMore: boolean;
}

export interface PatientExportRpcContract {
  [PatientExportRpc.ChannelsPatientExport]: RpcEntry<PatientExportRequest, PatientExportScope>;
  [PatientExportRpc.ChannelsExportPeople]: RpcEntry<ExportPeopleRequest, ExportPerson[]>;
  [PatientExportRpc.MessagesExportPage]: RpcEntry<ExportPageRequest, ExportPage>;
}

export const PATIENT_EXPORT_RPC_REQUESTS: { [K in keyof PatientExportRpcContract]: new () => PatientExportRpcContract[K]['request'] } = {
  [PatientExportRpc.ChannelsPatientExport]: PatientExportRequest,
  [PatientExportRpc.ChannelsExportPeople]: ExportPeopleRequest,
  [PatientExportRpc.MessagesExportPage]: ExportPageRequest,
};
