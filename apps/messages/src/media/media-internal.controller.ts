import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { parseRange } from './media-range';
import { MediaService } from './media.service';

const INTERNAL_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.NotFound]: 404,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.MediaQuotaExceeded]: 413,
};

/**
 * The byte path for media, on this service's HTTP port, for the gateway only (not exposed publicly).
 * Every call needs a ticket the gateway obtained over RPC on behalf of an authenticated user, so this
 * endpoint decides nothing about users itself. Errors come back as the usual { code, message } body.
 */
@Controller('internal/media/:orgId')
export class MediaInternalController {
  constructor(private readonly media: MediaService) {}

  @Post('uploads/:ticket')
  async upload(@Param('orgId') orgId: string, @Param('ticket') ticket: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    // The request itself is the byte stream: read as it arrives, never buffered whole here (see MediaService.upload).
    await respond(res, async () => {
      res.status(201).json(await this.media.upload(orgId, ticket, req));
    }, req);
  }

  @Get('tickets/:ticket')
  async download(@Param('orgId') orgId: string, @Param('ticket') ticket: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await respond(res, async () => {
      const content = await this.media.content(orgId, ticket, (size) => parseRange(req.headers.range, size));
      res.setHeader('Accept-Ranges', 'bytes');
      if ('unsatisfiable' in content) {
        res.status(416).setHeader('Content-Range', `bytes */${content.unsatisfiable}`).end();
        return;
      }
      const { start, end } = content.range ?? { start: 0, end: content.size - 1 };
      res.status(content.range ? 206 : 200);
      res.setHeader('Content-Type', content.contentType);
      res.setHeader('Content-Length', String(content.size === 0 ? 0 : end - start + 1));
      if (content.range) res.setHeader('Content-Range', `bytes ${start}-${end}/${content.size}`);
      await pipeline(Readable.from(content.body), res);
    });
  }
}

async function respond(res: Response, work: () => Promise<void>, req?: Request): Promise<void> {
  try {
    await work();
  } catch (err) {
    // An upload refused midway: the rest of its body is read and dropped so the answer reaches the caller
    // (the gateway stops sending when it sees it).
    if (req && !req.complete) req.resume();
    // The gateway gave up on the upload (its client went over the limit or away): nobody is left to answer.
    if (req?.destroyed && !(err instanceof DomainError)) return;
    if (res.headersSent) {
      res.destroy(err as Error);
      return;
    }
    if (err instanceof DomainError && INTERNAL_STATUS[err.code]) {
      res.status(INTERNAL_STATUS[err.code] ?? 500).json(err.toBody());
      return;
    }
    throw err;
  }
}
