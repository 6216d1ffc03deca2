import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { REASON, STATUS_BY_CODE } from './error-status';
import { CORRELATION_HEADER } from './correlation-id.middleware';

export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: unknown;
  correlationId?: string;
}

/** Body-parser errors arrive as plain errors carrying `status` and `type`. */
interface BodyParserError {
  status?: number;
  type?: string;
}

/**
 * Every HTTP error leaves as `{ statusCode, error, message }` (+ code/details). Bad input is always a 4xx;
 * only unexpected failures are 500, logged once with the correlation id and never echoed to the client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const correlationId = req.header(CORRELATION_HEADER) ?? (res.getHeader(CORRELATION_HEADER) as string | undefined);
    const body = this.toResponse(exception, correlationId);
    if (body.statusCode >= 500) {
      this.logger.error(`${req.method} ${req.route?.path ?? 'unmatched route'} → ${body.statusCode} [correlationId=${correlationId}] ${describe(exception)}`);
    }
    if (res.headersSent) return;
    if (body.statusCode === 503 && !res.getHeader('Retry-After')) setRetryAfter(res, retryHintOf(exception) ?? DEFAULT_RETRY_AFTER_MS);
    res.status(body.statusCode).json(body);
  }

  private toResponse(exception: unknown, correlationId?: string): ErrorResponse {
    const withId = (r: ErrorResponse): ErrorResponse => (correlationId ? { ...r, correlationId } : r);
    if (exception instanceof DomainError) {
      const statusCode = STATUS_BY_CODE[exception.code] ?? 500;
      const internal = statusCode === 500;
      return withId({
        statusCode,
        error: REASON[statusCode] ?? 'Error',
        message: internal ? 'internal error' : exception.message,
        code: internal ? ErrorCode.Internal : exception.code,
        ...(exception.details !== undefined && !internal ? { details: exception.details } : {}),
      });
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const r = exception.getResponse();
      const message = typeof r === 'string' ? r : Array.isArray((r as { message?: unknown }).message) ? ((r as { message: string[] }).message).join('; ') : String((r as { message?: unknown }).message ?? exception.message);
      return withId({ statusCode, error: REASON[statusCode] ?? exception.name, message });
    }
    const bp = exception as BodyParserError;
    if (bp && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      const message =
        bp.type === 'entity.too.large' ? 'request body is too large'
        : bp.type === 'entity.parse.failed' ? 'request body is not valid JSON'
        : bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported' ? 'unsupported body encoding'
        : 'malformed request';
      return withId({ statusCode: bp.status, error: REASON[bp.status] ?? 'Bad Request', message });
    }
    return withId({ statusCode: 500, error: REASON[500], message: 'internal error', code: ErrorCode.Internal });
  }
}

/** A 503 without a hint of its own (the service did not answer, the broker is down) asks clients to wait this long. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * `Retry-After` is whole seconds (RFC 9110), rounded up so a client that honours only it never comes back early;
 * `Retry-After-Ms` carries the same wait in milliseconds, for clients that can act on a shorter one.
 */
export function setRetryAfter(res: Response, ms: number): void {
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
  res.setHeader('Retry-After-Ms', String(Math.max(0, Math.round(ms))));
}

function retryHintOf(e: unknown): number | undefined {
  if (!(e instanceof DomainError)) return undefined;
  const ms = (e.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}
