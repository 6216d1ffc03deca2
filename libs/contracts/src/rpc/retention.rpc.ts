import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ActorRequest, RpcEntry } from './common';

/**
 * Compliance commands of the messages service (it owns message content): retention per organisation, legal holds
 * and erasure of a patient by crypto-shredding. All need `audit:read` (compliance officers).
 */
export const RetentionRpc = {
  MessagesRetentionGet: 'messages.retention-get',
  MessagesRetentionPut: 'messages.retention-put',
  MessagesLegalHoldPlace: 'messages.legal-hold-place',
  MessagesLegalHoldList: 'messages.legal-hold-list',
  MessagesLegalHoldRelease: 'messages.legal-hold-release',
  MessagesPatientErase: 'messages.patient-erase',
} as const;

/** Longest retention that can be set: 100 years. */
export const RETENTION_DAYS_MAX = 36_500;
export const LEGAL_HOLD_REASON_MAX_LENGTH = 500;
export const LEGAL_HOLD_PAGE_MAX = 200;

/** Days to keep message content and media; null = kept (the default). */
export interface RetentionSettings {
  messageContentDays: number | null;
  mediaDays: number | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export class GetRetentionRequest extends ActorRequest {}

export class PutRetentionRequest extends ActorRequest {
  @ValidateIf((_o, v) => v !== null) @IsInt() @Min(1) @Max(RETENTION_DAYS_MAX)
  messageContentDays!: number | null;

  @ValidateIf((_o, v) => v !== null) @IsInt() @Min(1) @Max(RETENTION_DAYS_MAX)
  mediaDays!: number | null;
}

export interface LegalHoldView {
  id: string;
  patientId: string | null;
  channelId: string | null;
  reason: string;
  placedBy: string;
  placedAt: string;
}

export class PlaceLegalHoldRequest extends ActorRequest {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  channelId?: string;

  @IsString() @MinLength(1) @MaxLength(LEGAL_HOLD_REASON_MAX_LENGTH)
  reason!: string;
}

export class ListLegalHoldsRequest extends ActorRequest {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(512)
  cursor?: string;

  @IsOptional() @IsInt() @Min(1) @Max(LEGAL_HOLD_PAGE_MAX)
  limit?: number;
}

export interface LegalHoldPage {
  holds: LegalHoldView[];
  nextCursor: string | null;
}

export class ReleaseLegalHoldRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  holdId!: string;
}

export class ErasePatientRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsString() @MinLength(1) @MaxLength(LEGAL_HOLD_REASON_MAX_LENGTH)
  reason!: string;
}

export interface PatientErasure {
  patientId: string;
  erasedAt: string;
  /** false when the patient had no key (nothing of theirs was ever sealed): the erasure is still recorded. */
  keyDestroyed: boolean;
}

export interface RetentionRpcContract {
  [RetentionRpc.MessagesRetentionGet]: RpcEntry<GetRetentionRequest, RetentionSettings>;
  [RetentionRpc.MessagesRetentionPut]: RpcEntry<PutRetentionRequest, RetentionSettings>;
  [RetentionRpc.MessagesLegalHoldPlace]: RpcEntry<PlaceLegalHoldRequest, LegalHoldView>;
  [RetentionRpc.MessagesLegalHoldList]: RpcEntry<ListLegalHoldsRequest, LegalHoldPage>;
  [RetentionRpc.MessagesLegalHoldRelease]: RpcEntry<ReleaseLegalHoldRequest, LegalHoldView>;
  [RetentionRpc.MessagesPatientErase]: RpcEntry<ErasePatientRequest, PatientErasure>;
}

export const RETENTION_RPC_REQUESTS: { [K in keyof RetentionRpcContract]: new () => RetentionRpcContract[K]['request'] } = {
  [RetentionRpc.MessagesRetentionGet]: GetRetentionRequest,
  [RetentionRpc.MessagesRetentionPut]: PutRetentionRequest,
  [RetentionRpc.MessagesLegalHoldPlace]: PlaceLegalHoldRequest,
  [RetentionRpc.MessagesLegalHoldList]: ListLegalHoldsRequest,
  [RetentionRpc.MessagesLegalHoldRelease]: ReleaseLegalHoldRequest,
  [RetentionRpc.MessagesPatientErase]: ErasePatientRequest,
};
