import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, MediaVariant } from '@wellifiy/contracts';
import { currentCorrelationId } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { GatewayConfig } from '../config/gateway.config';
import { MediaIdParams } from './media.dto';
import { MediaStoreClient } from './media-store.client';
import { incomingFile } from './multipart-file';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MediaView } from './media.view';

@ApiTags('media')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/media')
export class MediaController {
  private readonly maxUploadBytes: number;

  constructor(
    private readonly media: MediaStoreClient,
    config: GatewayConfig,
  ) {
    this.maxUploadBytes = config.MEDIA_UPLOAD_MAX_BYTES;
  }

  /**
   * Multipart, field `file`, streamed through to the messages service as it arrives (never held whole here).
   * The type is taken from the bytes (415 if not an accepted image/video); 413 above the size limits or the
   * uploader's media quota.
   */
  @ApiCreatedResponse({ type: MediaView, description: 'The stored media' })
  @ApiErrors(400, 413, 415)
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  async upload(@CurrentActor() actor: Actor, @Req() req: Request): Promise<MediaView> {
    const file = await incomingFile(req, 'file', this.maxUploadBytes);
    return this.media.upload(actor, file.stream, this.maxUploadBytes, currentCorrelationId());
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
    const media = await this.media.open(actor, id, variant, req.headers.range, currentCorrelationId());
    res.status(media.status).set({ ...media.headers, 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
    if (media.body) await pipeline(media.body, res);
    else res.end();
  }
}
