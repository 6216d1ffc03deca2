import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { Logger, LoggerModule, Params } from 'nestjs-pino';
import pino, { DestinationStream, LevelWithSilent } from 'pino';
import { currentContext } from '@wellifiy/messaging';
import { TracingShutdown } from './tracing';

/** LOG_LEVEL (Nest's names, see CommonConfig) → pino's. */
const LEVELS: Record<string, LevelWithSilent> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Paths pino replaces with "[redacted]" in every line, whatever a caller hands the logger: bodies, names, emails,
 * free text and credentials, at the top of a logged object and one level down. Log lines are meant to carry
 * ids, codes and timings only (no PHI in logs); this is the net under that rule.
 */
export const REDACTED_PATHS: readonly string[] = (() => {
  const fields = [
    'body', 'text', 'content', 'data', 'payload', 'reason', 'note',
    'name', 'firstName', 'lastName', 'displayName', 'realName', 'email', 'phone', 'address',
    'token', 'accessToken', 'refreshToken', 'password', 'secret', 'authorization', 'cookie',
  ];
  return [
    ...fields,
    ...fields.map((f) => `*.${f}`),
    'req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]', 'res.headers["set-cookie"]',
  ];
})();

/** Path segments that follow these hold a credential (the messages service's media tickets): masked in request lines. */
const SECRET_AFTER = /\/(tickets|uploads|tokens)\/[^/]+/g;

/** What a request line says of the URL: the path without the query string, credentials in it masked. */
export function loggedPath(url: string | undefined): string {
  return (url ?? '').split('?')[0].replace(SECRET_AFTER, '/$1/[redacted]');
}

/** HTTP paths that produce no request line: probes and scrapes, several a second. */
const QUIET_PATHS = /^\/(health\/|metrics($|\?))/;

export interface LoggerOptions {
  /** Where the lines go (tests); default stdout. */
  destination?: DestinationStream;
}

/**
 * The pino logger of a process: one JSON object per line with `service`, and the `correlationId` and `orgId` of
 * the work under way (see CallContext), so one request can be followed through every service it touched.
 */
export function createPinoLogger(service: string, level: string, opts: LoggerOptions = {}): pino.Logger {
  return pino(
    {
      level: LEVELS[level] ?? 'info',
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      mixin: () => {
        const ctx = currentContext();
        if (!ctx) return {};
        return { ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}), ...(ctx.orgId ? { orgId: ctx.orgId } : {}) };
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** nestjs-pino settings: one line per HTTP request when it completes (method, route path without query, status, duration). */
export function loggerParams(service: string, level: string, opts: LoggerOptions = {}): Params {
  return {
    pinoHttp: {
      logger: createPinoLogger(service, level, opts),
      // The line names the request by method and path only: query strings and headers may hold names or tokens.
      serializers: {
        req: (req: IncomingMessage) => ({ method: req.method, url: loggedPath(req.url) }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      customAttributeKeys: { responseTime: 'durationMs' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
    },
  };
}

@Module({ providers: [TracingShutdown] })
class LoggedApp {}

/** `module` with nestjs-pino loaded beside it (no app module needs to import it), and the flush of traces at shutdown. */
export function withLogging(module: Type<unknown> | DynamicModule, service: string, level: string, opts: LoggerOptions = {}): DynamicModule {
  return { module: LoggedApp, imports: [LoggerModule.forRoot(loggerParams(service, level, opts)), module] };
}

/** Routes Nest's own logging (and every `new Logger(...)`) through pino; call right after NestFactory.create with bufferLogs. */
export function usePinoLogger(app: INestApplication): void {
  app.useLogger(app.get(Logger));
}
