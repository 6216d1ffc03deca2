import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { describeFieldErrors, FieldError, findUnsafeInput, unsafeStringProblem } from '@wellifiy/messaging';

/**
 * The first problem with a request's path, query or parsed body, or null. Runs before routing, pipes and
 * class-transformer: thousands of nesting levels would overflow their recursion (a 500), and a NUL reaching
 * PostgreSQL under FerretDB fails the query (SQLSTATE 22P05, a 500). Headers need no check here: Node's parser
 * refuses control characters in them (400) and they cannot hold surrogates.
 */
export function findUnsafeRequestPart(req: Pick<Request, 'originalUrl' | 'query' | 'body'>): FieldError | null {
  // originalUrl: a middleware mounted on a path sees `req.path` relative to it.
  const path = req.originalUrl.split('?')[0];
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { field: 'path', problems: ['must be valid percent-encoded UTF-8'] };
    }
    const problem = unsafeStringProblem(decoded);
    if (problem) return { field: 'path', problems: [problem] };
  }
  return findUnsafeInput(req.query, { root: 'query' }) ?? findUnsafeInput(req.body, { root: 'body' });
}

/** Refuses hostile input at the edge with 400 VALIDATION_FAILED naming where it was. */
@Injectable()
export class UnsafeInputMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const problem = findUnsafeRequestPart(req);
    if (!problem) return next();
    next(new DomainError(ErrorCode.ValidationFailed, describeFieldErrors([problem]), [problem]));
  }
}
