import type { HttpErrorBody } from '@wellifiy/contracts';

/** Codes the client itself gives errors that never reached (or never came back from) the gateway. */
export const ClientErrorCode = {
  /** The request could not be sent or its answer never arrived (offline, DNS, reset, aborted). */
  Network: 'NETWORK_ERROR',
  /** The gateway answered with something that is not the JSON it documents. */
  BadResponse: 'BAD_RESPONSE',
} as const;

/**
 * Every failure of a REST call: `status` is the HTTP status (0 when no answer came), `code` the gateway's
 * stable error code when it sent one (e.g. CHANNEL_LAST_TEAM_MEMBER), else one derived from the status.
 */
export class MessagingApiError extends Error {
  override readonly name = 'MessagingApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds the gateway asked us to wait (Retry-After on 429/503). */
    readonly retryAfterSeconds?: number,
    readonly correlationId?: string,
  ) {
    super(message);
  }

  /** Worth sending again unchanged: no answer, overload (429/503) or a proxy that lost the upstream. Never other 4xx. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  static network(cause: unknown): MessagingApiError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new MessagingApiError(0, ClientErrorCode.Network, `network error: ${reason}`);
  }

  static fromResponse(status: number, body: unknown, retryAfter: string | null): MessagingApiError {
    const b = isHttpErrorBody(body) ? body : undefined;
    const code = b?.code ?? codeForStatus(status);
    const message = b?.message ?? (typeof body === 'string' && body ? body.slice(0, 200) : `HTTP ${status}`);
    return new MessagingApiError(status, code, message, b?.details, retryHintOf(b?.details) ?? parseRetryAfter(retryAfter), b?.correlationId);
  }
}

export function isMessagingApiError(e: unknown): e is MessagingApiError {
  return e instanceof MessagingApiError;
}

/** An OVERLOADED refusal names its wait in milliseconds (`details.retryAfterMs`), finer than Retry-After's whole seconds. */
function retryHintOf(details: unknown): number | undefined {
  const ms = typeof details === 'object' && details !== null ? (details as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

function isHttpErrorBody(value: unknown): value is HttpErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as HttpErrorBody).message === 'string';
}

/** The gateway sends a stable `code` for rule violations; plain HTTP errors (validation, auth, rate limit) get one from the status. */
function codeForStatus(status: number): string {
  switch (status) {
    case 400: return 'VALIDATION_FAILED';
    case 401: return 'UNAUTHORIZED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 409: return 'CONFLICT';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    case 429: return 'RATE_LIMITED';
    case 503: return 'SERVICE_UNAVAILABLE';
    default: return status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`;
  }
}

/** Retry-After as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}
