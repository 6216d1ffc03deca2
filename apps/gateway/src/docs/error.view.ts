import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { HttpErrorBody } from '@wellifiy/contracts';
import { REASON } from '../http/error-status';

/** The body of every HTTP error the gateway sends (HttpErrorFilter). */
export class ErrorView implements HttpErrorBody {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({ description: 'What went wrong; for 400 the field errors, joined by "; "' })
  message!: string;

  @ApiPropertyOptional({ description: 'A stable error code when a service rule refused the request (e.g. CHANNEL_LAST_TEAM_MEMBER)' })
  code?: string;

  @ApiPropertyOptional({
    description: 'Machine-readable detail: the field errors of a 400, or what a rule refused (e.g. `{ userIds }`)',
    oneOf: [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { field: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } },
          required: ['field', 'problems'],
        },
      },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: unknown;

  @ApiPropertyOptional({ description: 'Echo of x-correlation-id, to quote when reporting a problem' })
  correlationId?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

const WHEN: Record<ErrorStatus, string> = {
  400: 'Invalid input; the message names each bad field',
  401: 'No bearer token, or a bad or expired one',
  403: 'Known resource, but the caller may not do this (missing permission, archived team member)',
  404: 'Unknown, or not visible to the caller (non-members get 404, not 403)',
  409: 'A rule refused the change (see `code`)',
  413: 'Body or upload too large',
  415: 'Upload is not an accepted image or video type',
  429: 'Rate limited; retry after the Retry-After header',
  503: 'A backing service is unavailable, did not answer in time, or is at capacity (OVERLOADED); retry after Retry-After (seconds) or Retry-After-Ms',
};

/** The errors every authenticated route can give: no token, an archived team member, rate limit, a service that does not answer. */
export const COMMON_ERRORS: readonly ErrorStatus[] = [401, 403, 429, 503];

/** Documents the error responses of a route (or of every route of a controller) with the shared error body. */
export function ApiErrors(...statuses: ErrorStatus[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: `${REASON[status]}: ${WHEN[status]}`, type: ErrorView })),
  );
}
