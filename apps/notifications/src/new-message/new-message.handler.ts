import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Events, MessageCreatedEvent } from '@wellifiy/contracts';
import { AmqpContext, RepeatSafe } from '@wellifiy/messaging';
import { NewMessageService } from './new-message.service';

@Controller()
export class NewMessageHandler {
  constructor(private readonly newMessages: NewMessageService) {}

  // Repeat-safe: lastSeq and the sender's marker only move forward (one $max on the channel), badges are realtime
  // hints, digests email only what is past each member's digestSeq, and push jobs are keyed by message and device.
  @EventPattern(Events.MessageCreated, RepeatSafe)
  messageCreated(@Payload() e: MessageCreatedEvent, @Ctx() ctx: AmqpContext): Promise<void> {
    return this.newMessages.messageCreated(e.orgId, e.data.message, ctx.correlationId);
  }
}
