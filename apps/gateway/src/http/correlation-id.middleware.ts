import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { runInContext, startSpan, withTraceContext } from '@wellifiy/messaging';

export const CORRELATION_HEADER = 'x-correlation-id';
const SAFE = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Accepts a caller's correlation id (if well-formed) or mints one, and echoes it on the response. The rest of
 * the request runs in its context (correlation id, then the actor's organisation once the token is checked) and,
 * when tracing is on, in a server span that continues a caller's W3C `traceparent`.
 */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const given = req.header(CORRELATION_HEADER);
    const id = given && SAFE.test(given) ? given : randomUUID();
    req.headers[CORRELATION_HEADER] = id;
    res.setHeader(CORRELATION_HEADER, id);
    const { span, context } = startSpan(`HTTP ${req.method}`, 'server', req.headers, { 'http.request.method': req.method, 'wellifiy.correlation_id': id });
    res.once('close', () => {
      // The route template (never the path: it holds ids), known once the router matched.
      const route = (req.route as { path?: string } | undefined)?.path;
      if (route) span.updateName(`HTTP ${req.method} ${route}`).setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    withTraceContext(context, () => runInContext({ correlationId: id }, next));
  }
}
