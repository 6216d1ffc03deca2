/**
 * Stable error codes shared by every service. Services throw DomainError with one of these;
 * the gateway owns the single code → HTTP status table (apps/gateway/src/http/error-status.ts).
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  NotFound: 'NOT_FOUND',
  Forbidden: 'FORBIDDEN',
  /** The caller is a team member the staff directory archived: their access has ended. */
  TeamMemberArchived: 'TEAM_MEMBER_ARCHIVED',
  /** Someone tried to add a team member the staff directory archived to a channel. */
  CannotAddArchivedMember: 'CANNOT_ADD_ARCHIVED_MEMBER',
  Conflict: 'CONFLICT',
  ChannelLastTeamMember: 'CHANNEL_LAST_TEAM_MEMBER',
  ChannelAlreadyActive: 'CHANNEL_ALREADY_ACTIVE',
  ChannelMemberLimitReached: 'CHANNEL_MEMBER_LIMIT_REACHED',
  PatientNotFound: 'PATIENT_NOT_FOUND',
  PatientNotAllowed: 'PATIENT_NOT_ALLOWED',
  PatientCannotLeave: 'PATIENT_CANNOT_LEAVE',
  UnknownUser: 'UNKNOWN_USER',
  AlreadyMember: 'ALREADY_MEMBER',
  NotAMember: 'NOT_A_MEMBER',
  PushEndpointNotAllowed: 'PUSH_ENDPOINT_NOT_ALLOWED',
  PushEndpointTaken: 'PUSH_ENDPOINT_TAKEN',
  ReasonRequired: 'REASON_REQUIRED',
  InvalidReaction: 'INVALID_REACTION',
  ReactionLimitReached: 'REACTION_LIMIT_REACHED',
  MessageDeleted: 'MESSAGE_DELETED',
  /** A legal hold covers the patient (or one of their channels): their content may be neither purged nor erased. */
  UnderLegalHold: 'UNDER_LEGAL_HOLD',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  MediaQuotaExceeded: 'MEDIA_QUOTA_EXCEEDED',
  UnknownRpc: 'UNKNOWN_RPC',
  /** A command from a broker user that may not send it (e.g. an actor-bearing command not from the gateway). */
  RpcCallerNotAllowed: 'RPC_CALLER_NOT_ALLOWED',
  RpcTimeout: 'RPC_TIMEOUT',
  /** Refused at once to keep latency bounded: the service already has as many requests in flight as it may. */
  Overloaded: 'OVERLOADED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    typeof (value as ErrorBody).message === 'string'
  );
}
