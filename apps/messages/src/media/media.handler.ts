import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MediaReadTicketRequest, MediaSetAvatarRequest, MediaSetAvatarResult, MediaTicket, MediaUploadTicketRequest, Rpc } from '@wellifiy/contracts';
import { MediaService } from './media.service';

/** Authorization (and avatar choice) only: the bytes move over the internal HTTP endpoint (media-internal.controller.ts). */
@Controller()
export class MediaHandler {
  constructor(private readonly media: MediaService) {}

  @MessagePattern(Rpc.MediaUploadTicket)
  uploadTicket(@Payload() req: MediaUploadTicketRequest): Promise<MediaTicket> {
    return this.media.uploadTicket(req.actor);
  }

  @MessagePattern(Rpc.MediaReadTicket)
  readTicket(@Payload() req: MediaReadTicketRequest): Promise<MediaTicket> {
    return this.media.readTicket(req.actor, req.mediaId, req.variant);
  }

  @MessagePattern(Rpc.MediaSetAvatar)
  setAvatar(@Payload() req: MediaSetAvatarRequest): Promise<MediaSetAvatarResult> {
    return this.media.setAvatar({ orgId: req.orgId, userId: req.userId }, req.mediaId);
  }
}
