import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelChangedEvent, ChannelMemberAddedEvent, ChannelMemberRemovedEvent, Events } from '@wellifiy/contracts';
import { MembershipService } from './membership.service';

/** Keeps the membership projection current from the channels service's events (any order). */
@Controller()
export class MembershipHandler {
  constructor(private readonly membership: MembershipService) {}

  @EventPattern(Events.ChannelCreated)
  created(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.membership.apply(e.orgId, e.data.channel);
  }

  @EventPattern(Events.ChannelUpdated)
  updated(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.membership.apply(e.orgId, e.data.channel);
  }

  @EventPattern(Events.ChannelMemberAdded)
  memberAdded(@Payload() e: ChannelMemberAddedEvent): Promise<void> {
    return this.membership.apply(e.orgId, e.data.channel);
  }

  @EventPattern(Events.ChannelMemberRemoved)
  memberRemoved(@Payload() e: ChannelMemberRemovedEvent): Promise<void> {
    return this.membership.apply(e.orgId, e.data.channel);
  }
}
