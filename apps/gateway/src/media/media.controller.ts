import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, DomainError, ErrorCode, MediaVariant } from '@wellifiy/contracts';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { MediaIdParams } from './media.dto';
import { MediaStoreClient } from './media-store.client';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MediaView } from './media.view';

/** The part of multer's file object we use (memory storage). */
interface UploadedBytes {
  buffer: Buffer;
}

@ApiTags('media')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/media')
export class MediaController {
  constructor(private readonly media: MediaStoreClient) {}

  /** Multipart, field `file`. The type is taken from the bytes (415 if not an accepted image/video); 413 above the size limits. */
  @ApiCreatedResponse({ type: MediaView, description: 'The stored media' })
  @ApiErrors(400, 413, 415)
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
  @ApiOkResponse({ description: 'The bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 206, description: 'The requested Range of the bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrors(400, 404)
  @Get(':id')
  original(@CurrentActor() actor: Actor, @Param() p: MediaIdParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.stream(actor, p.id, 'original', req, res);
  }

  @ApiOkResponse({ description: 'A JPEG thumbnail (images only)', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrors(400, 404)
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
