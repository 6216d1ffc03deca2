import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  AuditPage, AuditQueryRequest, AuditRecordedEvent, ChannelChangedEvent, ChannelMemberAddedEvent, ChannelMemberFlagEvent, ChannelMemberRemovedEvent, Events, MessageCreatedEvent,
  ReactionUpdatedEvent, Rpc,
} from '@wellifiy/contracts';
import { RepeatSafe } from '@wellifiy/messaging';
import { AuditService } from './audit.service';

/**
 * The channels service reads committed events back into the append-only audit trail: its own, and the messages
 * service's sends, reactions and audited actions. Appends are insert-only by event id, so a redelivery adds nothing.
 */
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

  @EventPattern(Events.MessageCreated, RepeatSafe)
  sent(@Payload() e: MessageCreatedEvent): Promise<void> {
    return this.audit.recordSent(e);
  }

  @EventPattern(Events.ReactionUpdated, RepeatSafe)
  reaction(@Payload() e: ReactionUpdatedEvent): Promise<void> {
    return this.audit.recordReaction(e);
  }

  @EventPattern(Events.AuditRecorded, RepeatSafe)
  audited(@Payload() e: AuditRecordedEvent): Promise<void> {
    return this.audit.recordAudited(e);
  }

  @MessagePattern(Rpc.ChannelsAudit)
  list(@Payload() { actor, ...q }: AuditQueryRequest): Promise<AuditPage> {
    return this.audit.list(actor, q);
  }
}
