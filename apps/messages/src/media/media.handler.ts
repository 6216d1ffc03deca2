import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MediaReadTicketRequest, MediaSetAvatarRequest, MediaSetAvatarResult, MediaTicket, MediaUploadTicketRequest, Rpc } from '@wellifiy/contracts';
import { AuditRepository } from '../audit/audit.repository';
import { MediaService } from './media.service';

/** Authorization (and avatar choice) only: the bytes move over the internal HTTP endpoint (media-internal.controller.ts). */
@Controller()
export class MediaHandler {
  constructor(
    private readonly media: MediaService,
    private readonly audit: AuditRepository,
  ) {}

  @MessagePattern(Rpc.MediaUploadTicket)
  uploadTicket(@Payload() req: MediaUploadTicketRequest): Promise<MediaTicket> {
    return this.media.uploadTicket(req.actor);
  }

  @MessagePattern(Rpc.MediaReadTicket)
  async readTicket(@Payload() req: MediaReadTicketRequest): Promise<MediaTicket> {
    const ticket = await this.media.readTicket(req.actor, req.mediaId, req.variant);
    // Every read of media goes through a read ticket: the organisation's trail has it before the ticket is given.
    await this.audit.recordRead({ orgId: req.actor.orgId, userId: req.actor.userId, userKind: req.actor.kind, what: 'media', mediaId: req.mediaId, count: 1, at: new Date() });
    return ticket;
  }

  @MessagePattern(Rpc.MediaSetAvatar)
  setAvatar(@Payload() req: MediaSetAvatarRequest): Promise<MediaSetAvatarResult> {
    return this.media.setAvatar({ orgId: req.orgId, userId: req.userId }, req.mediaId);
  }
}
