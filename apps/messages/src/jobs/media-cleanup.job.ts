import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobIds, JobPayloads, JobRetries, Jobs, LegacyJobIds, Queues } from '@wellifiy/contracts';
import { MediaRepository } from '../media/media.repository';

type MediaCleanupJob = JobPayloads[typeof Queues.MediaCleanup];

/**
 * One delayed job per upload, due when unattached media may be deleted. The job id is the media's, so a
 * retried upload step schedules nothing twice; running it again after the media is gone deletes nothing.
 */
@Injectable()
export class MediaCleanupScheduler {
  constructor(@InjectQueue(Queues.MediaCleanup) private readonly queue: Queue<MediaCleanupJob>) {}

  async schedule(data: MediaCleanupJob, delayMs: number): Promise<void> {
    // A job queued under the id's former format still collapses this one (LegacyJobIds).
    if (await this.queue.getJob(LegacyJobIds.mediaCleanup(data.orgId, data.mediaId))) return;
    await this.queue.add(Jobs.MediaCleanup, data, { ...JobRetries[Queues.MediaCleanup], delay: Math.max(0, Math.round(delayMs)), jobId: JobIds.mediaCleanup(data.orgId, data.mediaId) });
  }
}

/** Deletes the media unless it was posted or made an avatar meanwhile (then the job is a no-op). */
@Processor(Queues.MediaCleanup)
export class MediaCleanupJobProcessor extends WorkerHost {
  constructor(private readonly media: MediaRepository) {
    super();
  }

  async process(job: Job<MediaCleanupJob>): Promise<{ deleted: boolean }> {
    return { deleted: await this.media.deleteIfUnattached(job.data.orgId, job.data.mediaId) };
  }
}
