import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  ChannelChangedEvent, ChannelMemberAddedEvent, ChannelMemberFlagEvent, ChannelMemberRemovedEvent, Events, MarkReadRequest, MarkReadResult,
  MessageDeletedEvent, ReceiptsRequest, ReceiptsResult, RepairChannelRequest, RepairChannelResult, Rpc, UnreadSummary,
  UnreadSummaryRequest,
} from '@wellifiy/contracts';
import { ReadStateService } from './read-state.service';

/** Membership and deletion events feed the counters (new messages: new-message/); the gateway asks for summaries, reads and receipts. */
@Controller()
export class ReadStateHandler {
  constructor(private readonly readState: ReadStateService) {}

  @EventPattern(Events.ChannelCreated)
  created(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.readState.membershipChanged({ orgId: e.orgId, snapshot: e.data.channel, kind: 'created' });
  }

  @EventPattern(Events.ChannelUpdated)
  updated(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.readState.membershipChanged({ orgId: e.orgId, snapshot: e.data.channel, kind: 'changed' });
  }

  @EventPattern(Events.ChannelMemberAdded)
  memberAdded(@Payload() e: ChannelMemberAddedEvent): Promise<void> {
    return this.readState.membershipChanged({ orgId: e.orgId, snapshot: e.data.channel, kind: 'changed' });
  }

  @EventPattern(Events.ChannelMemberRemoved)
  memberRemoved(@Payload() e: ChannelMemberRemovedEvent): Promise<void> {
    return this.readState.membershipChanged({ orgId: e.orgId, snapshot: e.data.channel, kind: 'changed' });
  }

  @EventPattern(Events.ChannelArchived)
  archived(@Payload() e: ChannelMemberFlagEvent): Promise<void> {
    return this.readState.archiveChanged(e.orgId, e.data.channelId, e.data.userId, true, new Date(e.time));
  }

  @EventPattern(Events.ChannelUnarchived)
  unarchived(@Payload() e: ChannelMemberFlagEvent): Promise<void> {
    return this.readState.archiveChanged(e.orgId, e.data.channelId, e.data.userId, false, new Date(e.time));
  }

  @EventPattern(Events.MessageDeleted)
  messageDeleted(@Payload() e: MessageDeletedEvent): Promise<void> {
    return this.readState.messageDeleted(e.orgId, e.data);
  }

  @MessagePattern(Rpc.NotificationsUnreadSummary)
  summary(@Payload() req: UnreadSummaryRequest): Promise<UnreadSummary> {
    return this.readState.summary(req.actor);
  }

  @MessagePattern(Rpc.NotificationsMarkRead)
  markRead(@Payload() req: MarkReadRequest): Promise<MarkReadResult> {
    return this.readState.markRead(req.actor, req.channelId, req.seq);
  }

  @MessagePattern(Rpc.NotificationsReceipts)
  receipts(@Payload() req: ReceiptsRequest): Promise<ReceiptsResult> {
    return this.readState.receipts(req.actor, req.channelId);
  }

  @MessagePattern(Rpc.NotificationsRepairChannel)
  async repair(@Payload() req: RepairChannelRequest): Promise<RepairChannelResult> {
    await this.readState.repair(req.orgId, req.channelId, req.lastSeq, req.deleted);
    return { channelId: req.channelId, lastSeq: req.lastSeq, deletedCount: new Set(req.deleted.map((d) => d.seq)).size };
  }
}
