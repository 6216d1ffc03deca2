import { ErrorCode } from '@wellifiy/contracts';

/** The one table from domain error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.TeamMemberArchived]: 403,
  [ErrorCode.CannotAddArchivedMember]: 409,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.PatientNotFound]: 404,
  [ErrorCode.UnknownUser]: 400,
  [ErrorCode.PatientNotAllowed]: 409,
  [ErrorCode.PatientCannotLeave]: 409,
  [ErrorCode.AlreadyMember]: 409,
  [ErrorCode.NotAMember]: 404,
  [ErrorCode.PushEndpointNotAllowed]: 400,
  [ErrorCode.PushEndpointTaken]: 409,
  [ErrorCode.ReasonRequired]: 400,
  [ErrorCode.InvalidReaction]: 400,
  [ErrorCode.ReactionLimitReached]: 409,
  [ErrorCode.MessageDeleted]: 409,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.MediaQuotaExceeded]: 413,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.ChannelLastTeamMember]: 409,
  [ErrorCode.ChannelAlreadyActive]: 409,
  [ErrorCode.ChannelMemberLimitReached]: 409,
  [ErrorCode.UnknownRpc]: 500,
  // The gateway's own broker user is not the one the services trust: a deployment error, not the client's.
  [ErrorCode.RpcCallerNotAllowed]: 500,
  [ErrorCode.Internal]: 500,
  [ErrorCode.RpcTimeout]: 503,
  [ErrorCode.ServiceUnavailable]: 503,
};

export const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
