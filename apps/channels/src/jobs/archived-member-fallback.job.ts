import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobIds, JobPayloads, JobRetries, Jobs, LegacyJobIds, Queues } from '@wellifiy/contracts';
import { FallbackReport, FallbackService } from '../fallback/fallback.service';

type FallbackJob = JobPayloads[typeof Queues.ArchivedMemberFallback];

/** Schedules one fallback run per archived team member (the job id makes duplicates collapse). */
@Injectable()
export class ArchivedMemberFallbackScheduler {
  constructor(@InjectQueue(Queues.ArchivedMemberFallback) private readonly queue: Queue<FallbackJob>) {}

  async schedule(data: FallbackJob): Promise<void> {
    // A job queued under the id's former format still collapses this one (LegacyJobIds).
    if (await this.queue.getJob(LegacyJobIds.archivedMemberRelease(data.orgId, data.teamMemberId))) return;
    await this.queue.add(Jobs.ArchivedMemberRelease, data, { ...JobRetries[Queues.ArchivedMemberFallback], jobId: JobIds.archivedMemberRelease(data.orgId, data.teamMemberId) });
  }
}

@Processor(Queues.ArchivedMemberFallback, { concurrency: 2 })
export class ArchivedMemberFallbackJob extends WorkerHost {
  constructor(private readonly fallback: FallbackService) {
    super();
  }

  process(job: Job<FallbackJob>): Promise<FallbackReport> {
    return this.fallback.run(job.data.orgId, job.data.teamMemberId, job.data.correlationId);
  }
}
