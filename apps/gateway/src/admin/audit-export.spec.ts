import type { AuditEntryView } from '@wellifiy/contracts';
import { AUDIT_CSV_COLUMNS, csvField, csvHeader, csvRow, encodeAuditEntries, ndjsonLine } from './audit-export';

const entry = (overrides: Partial<AuditEntryView> = {}): AuditEntryView => ({
  id: 'aud_1', at: '2026-02-01T10:00:00.000Z', actorId: 'tm_1', action: 'message.deleted', channelId: 'ch_1', patientId: 'pat_1',
  targetUserId: null, messageId: 'msg_1', mediaId: null, fromSeq: 4, toSeq: 4, reason: null, ...overrides,
});

/** A minimal RFC 4180 reader, to check that what is written reads back as the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  return rows;
}

describe('audit export encoding', () => {
  it('CSV: a header of every column, CRLF line ends, nulls empty, numbers plain', () => {
    expect(csvHeader()).toBe('id,at,actorId,action,channelId,patientId,targetUserId,messageId,mediaId,fromSeq,toSeq,reason\r\n');
    expect(csvRow(entry())).toBe('aud_1,2026-02-01T10:00:00.000Z,tm_1,message.deleted,ch_1,pat_1,,msg_1,,4,4,\r\n');
  });

  it.each([
    ['a comma', 'wrong, patient', '"wrong, patient"'],
    ['a quote', 'said "stop"', '"said ""stop"""'],
    ['a line break', 'line one\nline two', '"line one\nline two"'],
    ['a CR LF', 'a\r\nb', '"a\r\nb"'],
    ['plain text', 'off topic', 'off topic'],
  ])('CSV escaping: %s', (_label, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each(['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)'])('CSV: a text a spreadsheet would run as a formula (%p) is neutralised with a quote mark', (value) => {
    expect(csvField(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('CSV round trip: hostile reasons read back as one row each, field for field', () => {
    const reasons = ['a, b', 'x "y" z', 'multi\nline\r\nreason', ''];
    const text = csvHeader() + encodeAuditEntries('csv', reasons.map((reason, i) => entry({ id: `aud_${i}`, reason })));
    const rows = parseCsv(text);
    expect(rows).toHaveLength(reasons.length + 1);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => [r[0], r[11]])).toEqual(reasons.map((reason, i) => [`aud_${i}`, reason]));
  });

  it('NDJSON: one JSON object per line, every field, line breaks in values escaped', () => {
    const text = encodeAuditEntries('ndjson', [entry({ reason: 'one\ntwo' }), entry({ id: 'aud_2' })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual(entry({ reason: 'one\ntwo' }));
    expect(Object.keys(JSON.parse(ndjsonLine(entry())) as object)).toEqual([...AUDIT_CSV_COLUMNS]);
  });
});
