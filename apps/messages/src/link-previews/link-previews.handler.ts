import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Events, MessageCreatedEvent } from '@wellifiy/contracts';
import { RepeatSafe } from '@wellifiy/messaging';
import { LinkPreviewScheduler } from '../jobs/link-preview.job';
import { LinkPreviewsService } from './link-previews.service';

/**
 * Previews start from this service's own message.created: the outbox guarantees that event, so a message
 * stored just before a crash still gets its preview job.
 */
@Controller()
export class LinkPreviewsHandler {
  constructor(
    private readonly previews: LinkPreviewsService,
    private readonly scheduler: LinkPreviewScheduler,
  ) {}

  // Repeat-safe: the job id is the message id (a second add collapses into the first, and completed ids are
  // kept for a day), and a preview is only ever set once.
  @EventPattern(Events.MessageCreated, RepeatSafe)
  async created(@Payload() e: MessageCreatedEvent): Promise<void> {
    const job = this.previews.jobFor(e.orgId, e.data.message, e.correlationId);
    if (job) await this.scheduler.schedule(job);
  }
}
