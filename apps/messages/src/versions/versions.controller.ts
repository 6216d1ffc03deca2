import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessageVersionsRequest, MessageVersionsView, Rpc } from '@wellifiy/contracts';
import { VersionsService } from './versions.service';

@Controller()
export class VersionsController {
  constructor(private readonly versions: VersionsService) {}

  @MessagePattern(Rpc.MessagesVersions)
  list(@Payload() req: MessageVersionsRequest): Promise<MessageVersionsView> {
    return this.versions.list(req.actor, req.messageId);
  }
}
