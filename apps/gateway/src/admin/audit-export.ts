import type { AuditEntryView } from '@wellifiy/contracts';

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The CSV columns, in order: every field of an entry. */
export const AUDIT_CSV_COLUMNS = [
  'id', 'at', 'actorId', 'action', 'channelId', 'patientId', 'targetUserId', 'messageId', 'mediaId', 'fromSeq', 'toSeq', 'reason',
] as const satisfies readonly (keyof AuditEntryView)[];

export const AUDIT_EXPORT_CONTENT_TYPES: Record<AuditExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled. A text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first: a reason is free text) is prefixed with `'`
 * (OWASP CSV injection), so opening the export never executes what someone wrote.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(entry: AuditEntryView): string {
  return `${AUDIT_CSV_COLUMNS.map((c) => csvField(entry[c])).join(',')}\r\n`;
}

/** One entry per line; JSON.stringify escapes line breaks inside strings, so a line is always one entry. */
export function ndjsonLine(entry: AuditEntryView): string {
  return `${JSON.stringify(Object.fromEntries(AUDIT_CSV_COLUMNS.map((c) => [c, entry[c]])))}\n`;
}

export function encodeAuditEntries(format: AuditExportFormat, entries: AuditEntryView[]): string {
  return entries.map(format === 'csv' ? csvRow : ndjsonLine).join('');
}
