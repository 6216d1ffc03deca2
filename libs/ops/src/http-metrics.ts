import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { histogram } from './metrics';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * `http_request_duration_seconds{method,route,status}`: route is the matched route's template
 * (`/v1/channels/:id/messages`, never the path with its ids), `unmatched` for anything no route took (404s,
 * static files); status is the class (2xx, 4xx, 5xx).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration = histogram(
    'http_request_duration_seconds',
    'HTTP request duration, by method, route template and status class',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

  use(req: Request, res: Response, next: NextFunction): void {
    const startedAt = process.hrtime.bigint();
    res.once('finish', () => {
      this.duration.observe(
        { method: METHODS.has(req.method) ? req.method : 'OTHER', route: routeTemplateOf(req), status: `${Math.floor(res.statusCode / 100)}xx` },
        Number(process.hrtime.bigint() - startedAt) / 1e9,
      );
    });
    next();
  }
}

/** The template of the route that handled `req` (Express sets req.route once a route matched). */
export function routeTemplateOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return route && typeof route.path === 'string' && route.path ? route.path : 'unmatched';
}
