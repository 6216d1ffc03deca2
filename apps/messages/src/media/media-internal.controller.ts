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
    await respond(res, async () => {
      const bytes = await readBody(req, this.media.maxUploadBytes);
      res.status(201).json(await this.media.upload(orgId, ticket, bytes));
    });
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

async function respond(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
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

/** The request body, refused with PAYLOAD_TOO_LARGE as soon as it passes `max` bytes. */
async function readBody(req: Request, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      req.resume();
      throw new DomainError(ErrorCode.PayloadTooLarge, `uploads may be at most ${max} bytes`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
