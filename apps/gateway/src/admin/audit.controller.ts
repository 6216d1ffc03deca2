import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, AUDIT_PAGE_MAX, AuditPage, Rpc } from '@wellifiy/contracts';
import { currentCorrelationId, RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { AuditPageView } from '../channels/channels.view';
import { AUDIT_EXPORT_CONTENT_TYPES, csvHeader, encodeAuditEntries } from './audit-export';
import { AuditExportQuery, AuditQuery } from './audit.dto';

const CSV_SCHEMA = { type: 'string' as const, description: 'A header row, then one row per entry (RFC 4180, CRLF)' };
const NDJSON_SCHEMA = { type: 'string' as const, description: 'One JSON object per line, each an AuditEntryView' };

/** The organisation's audit trail, for compliance officers: the channels service checks `audit:read` (403) and records each query. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly rpc: RpcClient) {}

  /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
  @ApiOkResponse({ type: AuditPageView })
  @ApiErrors(400)
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: AuditQuery): Promise<AuditPageView> {
    return this.rpc.send(Rpc.ChannelsAudit, { actor, ...q });
  }

  /**
   * Every entry the filters select, newest first, streamed page by page as NDJSON (default) or CSV. The export is
   * itself recorded (`audit.exported`, with its filters) before the first byte is sent; a refusal (403, 400) comes
   * before any of the body.
   */
  @ApiOkResponse({
    description: 'The entries, as a download (Content-Disposition: attachment)',
    content: { 'application/x-ndjson': { schema: NDJSON_SCHEMA }, 'text/csv': { schema: CSV_SCHEMA } },
  })
  @ApiErrors(400)
  @Get('export')
  async export(@CurrentActor() actor: Actor, @Query() q: AuditExportQuery, @Res() res: Response): Promise<void> {
    const { format = 'ndjson', ...filters } = q;
    const correlationId = currentCorrelationId();
    const page = (cursor?: string): Promise<AuditPage> =>
      this.rpc.send(Rpc.ChannelsAudit, { actor, ...filters, limit: AUDIT_PAGE_MAX, export: true, ...(cursor ? { cursor } : {}) }, { correlationId });
    // The first page decides the status: errors are answered as JSON by the exception filter, before any header is sent.
    let current = await page();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200).set({
      'content-type': AUDIT_EXPORT_CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="audit-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
    if (format === 'csv') res.write(csvHeader());
    try {
      for (;;) {
        if (!res.write(encodeAuditEntries(format, current.entries))) await new Promise((resolve) => res.once('drain', resolve));
        if (!current.nextCursor) break;
        current = await page(current.nextCursor);
      }
      res.end();
    } catch (err) {
      // Headers are out: a failure half-way must not look like a complete export, so the connection is cut.
      res.destroy(err as Error);
    }
  }
}
