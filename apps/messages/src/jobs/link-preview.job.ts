import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobIds, JobPayloads, JobRetries, Jobs, LegacyJobIds, Queues } from '@wellifiy/contracts';
import { currentTraceContext, runJob } from '@wellifiy/messaging';
import { LinkPreviewsService, PreviewOutcome } from '../link-previews/link-previews.service';

type LinkPreviewJob = JobPayloads[typeof Queues.LinkPreview];

/**
 * One preview job per message (the job id makes a redelivered message.created collapse into it). Its data and its
 * return value are ids and an outcome only; both rest in Redis (completed jobs for a day, for that dedupe).
 */
@Injectable()
export class LinkPreviewScheduler {
  constructor(@InjectQueue(Queues.LinkPreview) private readonly queue: Queue<LinkPreviewJob>) {}

  async schedule(data: LinkPreviewJob): Promise<void> {
    // A job queued under the id's former format still collapses this one (LegacyJobIds).
    if (await this.queue.getJob(LegacyJobIds.linkPreview(data.orgId, data.messageId))) return;
    await this.queue.add(Jobs.LinkPreview, { ...data, ...currentTraceContext() }, { ...JobRetries[Queues.LinkPreview], jobId: JobIds.linkPreview(data.orgId, data.messageId) });
  }
}

@Processor(Queues.LinkPreview, { concurrency: 4 })
export class LinkPreviewJobProcessor extends WorkerHost {
  constructor(private readonly previews: LinkPreviewsService) {
    super();
  }

  process(job: Job<LinkPreviewJob>): Promise<PreviewOutcome> {
    // Only the ids, even from a job queued by an earlier release whose data still carried the URL.
    const { orgId, messageId, correlationId } = job.data;
    return runJob(Queues.LinkPreview, job, () => this.previews.generate({ orgId, messageId, ...(correlationId ? { correlationId } : {}) }));
  }
}
