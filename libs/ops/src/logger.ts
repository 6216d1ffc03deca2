import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { Logger, LoggerModule, Params } from 'nestjs-pino';
import pino, { DestinationStream, LevelWithSilent } from 'pino';
import { currentContext } from '@wellifiy/messaging';
import { TracingShutdown } from './tracing';

/** LOG_LEVEL (Nest's names, see CommonConfig) → pino's. */
const LEVELS: Record<string, LevelWithSilent> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Fields whose values never reach a log line: bodies, names, emails, free text and credentials. */
const REDACTED_FIELDS: readonly string[] = [
  'body', 'text', 'content', 'data', 'payload', 'reason', 'note',
  'name', 'firstName', 'lastName', 'displayName', 'realName', 'email', 'phone', 'address',
  'token', 'accessToken', 'refreshToken', 'password', 'secret', 'authorization', 'cookie',
];

/** Request headers that carry credentials, in the request lines. */
const REDACTED_HEADER_PATHS: readonly string[] = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]', 'res.headers["set-cookie"]'];

/**
 * Paths replaced with "[redacted]" in every line, whatever a caller hands the logger: the fields above at the top
 * of a logged object and one level down, and credential headers. Log lines are meant to carry ids, codes and
 * timings only (no PHI in logs); this is the net under that rule.
 */
export const REDACTED_PATHS: readonly string[] = [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((f) => `*.${f}`), ...REDACTED_HEADER_PATHS];

const CENSOR = '[redacted]';
const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * `value` with the redacted fields of its own replaced, or `value` itself when it has none. The copy keeps the
 * prototype and the own enumerable properties (what pino's wildcard redaction copied); the caller's object is
 * never changed.
 */
function censorFields<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const field of REDACTED_FIELDS) {
    if (!hasOwn(value, field)) continue;
    if (!copy) {
      copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
      for (const key in value) if (hasOwn(value, key)) copy[key] = (value as Record<string, unknown>)[key];
    }
    copy[field] = CENSOR;
  }
  return (copy ?? value) as T;
}

/**
 * The `*.<field>` paths of REDACTED_PATHS, applied to each logged object. pino's own wildcard redaction parses
 * every path again for every key of every line (about 25 µs a line, five times the rest of the line); this
 * walks the fields once per object value. `err` is left to its serializer, which censors after serializing
 * (as pino's redaction did).
 */
export function censorOneLevelDown(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    if (key === 'err' || !hasOwn(obj, key)) continue;
    const value = obj[key];
    const censored = censorFields(value);
    if (censored === value) continue;
    if (out === obj) out = { ...obj };
    out[key] = censored;
  }
  return out;
}

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
      formatters: { level: (label) => ({ level: label }), log: censorOneLevelDown },
      messageKey: 'msg',
      // The fields at the top and the header paths by pino's redaction; one level down by censorOneLevelDown.
      redact: { paths: [...REDACTED_FIELDS, ...REDACTED_HEADER_PATHS], censor: CENSOR },
      serializers: { err: (err: unknown) => censorFields(pino.stdSerializers.err(err as Error)) },
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
        // pino-http hands this the error already serialized; what the root logger's serializer adds is the censoring.
        err: censorFields,
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
