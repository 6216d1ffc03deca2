import { ConsoleLogger, LogLevel } from '@nestjs/common';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Structured (one JSON object per line) logs. Log lines carry ids and codes, never names, emails or
 * message text: no PHI in logs.
 */
export function createLogger(service: string, level: string): ConsoleLogger {
  const upTo = Math.max(ORDER.indexOf(level as LogLevel), ORDER.indexOf('error'));
  return new ConsoleLogger(service, { json: true, colors: false, logLevels: ORDER.slice(0, upTo + 1) });
}
