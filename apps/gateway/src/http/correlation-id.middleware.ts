import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

export const CORRELATION_HEADER = 'x-correlation-id';
const SAFE = /^[A-Za-z0-9._-]{1,100}$/;

/** Accepts a caller's correlation id (if well-formed) or mints one, and echoes it on the response. */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const given = req.header(CORRELATION_HEADER);
    const id = given && SAFE.test(given) ? given : randomUUID();
    req.headers[CORRELATION_HEADER] = id;
    res.setHeader(CORRELATION_HEADER, id);
    next();
  }
}

export function correlationIdOf(req: Request): string | undefined {
  return req.header(CORRELATION_HEADER);
}
