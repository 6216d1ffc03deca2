import { Injectable } from '@nestjs/common';
import { MessageView } from '@wellifiy/contracts';
import { DigestScheduler } from '../digest/digest.scheduler';
import { PushService } from '../push/push.service';
import { BadgePublisher } from '../read-state/badge.publisher';
import { ReadStateService } from '../read-state/read-state.service';

/**
 * What a new message sets off here: the channel's counters move, the members' badges are announced
 * (coalesced), the channel's digest burst is scheduled and the patient members' devices get a push.
 */
@Injectable()
export class NewMessageService {
  constructor(
    private readonly readState: ReadStateService,
    private readonly badges: BadgePublisher,
    private readonly digests: DigestScheduler,
    private readonly push: PushService,
  ) {}

  async messageCreated(orgId: string, message: MessageView, correlationId?: string): Promise<void> {
    const channel = await this.readState.recordMessage(orgId, message);
    if (channel) this.badges.queue(orgId, channel);
    await this.digests.channelActivity(orgId, message.channelId, correlationId);
    if (channel) await this.push.messageCreated(orgId, message, channel, correlationId);
  }
}
