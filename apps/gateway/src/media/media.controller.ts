import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, DomainError, ErrorCode, MediaVariant, MediaView } from '@wellifiy/contracts';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { MediaIdParams } from './media.dto';
import { MediaStoreClient } from './media-store.client';

/** The part of multer's file object we use (memory storage). */
interface UploadedBytes {
  buffer: Buffer;
}

@ApiTags('media')
@ApiBearerAuth()
@Controller('v1/media')
export class MediaController {
  constructor(private readonly media: MediaStoreClient) {}

  /** Multipart, field `file`. The type is taken from the bytes (415 if not an accepted image/video); 413 above the size limits. */
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @UseInterceptors(FileInterceptor('file'))
  upload(@CurrentActor() actor: Actor, @UploadedFile() file: UploadedBytes | undefined, @Req() req: Request): Promise<MediaView> {
    if (!file) throw new DomainError(ErrorCode.ValidationFailed, 'multipart field "file" is required');
    return this.media.upload(actor, file.buffer, correlationIdOf(req));
  }

  /** The media's bytes; honours `Range` (206). 404 unless you uploaded it or belong to a channel it was posted in. */
  @Get(':id')
  original(@CurrentActor() actor: Actor, @Param() p: MediaIdParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.stream(actor, p.id, 'original', req, res);
  }

  @Get(':id/thumbnail')
  thumbnail(@CurrentActor() actor: Actor, @Param() p: MediaIdParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.stream(actor, p.id, 'thumbnail', req, res);
  }

  private async stream(actor: Actor, id: string, variant: MediaVariant, req: Request, res: Response): Promise<void> {
    const media = await this.media.open(actor, id, variant, req.headers.range, correlationIdOf(req));
    res.status(media.status).set({ ...media.headers, 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
    if (media.body) await pipeline(media.body, res);
    else res.end();
  }
}
