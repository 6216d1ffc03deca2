import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  AuditPage, AuditQueryRequest, ChannelChangedEvent, ChannelMemberAddedEvent, ChannelMemberFlagEvent, ChannelMemberRemovedEvent, Events, Rpc,
} from '@wellifiy/contracts';
import { AuditService } from './audit.service';

/** The channels service reads its own committed events back into the append-only audit trail. */
@Controller()
export class AuditHandler {
  constructor(private readonly audit: AuditService) {}

  @EventPattern(Events.ChannelCreated)
  created(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.audit.record(e, e.data.actorId);
  }

  @EventPattern(Events.ChannelUpdated)
  updated(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.audit.record(e, e.data.actorId);
  }

  @EventPattern(Events.ChannelMemberAdded)
  memberAdded(@Payload() e: ChannelMemberAddedEvent): Promise<void> {
    return this.audit.record(e, e.data.actorId);
  }

  @EventPattern(Events.ChannelMemberRemoved)
  memberRemoved(@Payload() e: ChannelMemberRemovedEvent): Promise<void> {
    return this.audit.record(e, e.data.actorId);
  }

  @EventPattern(Events.ChannelArchived)
  archived(@Payload() e: ChannelMemberFlagEvent): Promise<void> {
    return this.audit.record(e, e.data.userId);
  }

  @EventPattern(Events.ChannelUnarchived)
  unarchived(@Payload() e: ChannelMemberFlagEvent): Promise<void> {
    return this.audit.record(e, e.data.userId);
  }

  @MessagePattern(Rpc.ChannelsAudit)
  list(@Payload() { actor, ...q }: AuditQueryRequest): Promise<AuditPage> {
    return this.audit.list(actor, q);
  }
}
