import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, JobPayloads, Queues } from '@wellifiy/contracts';
import { FallbackReport, FallbackService } from '../fallback/fallback.service';

type FallbackJob = JobPayloads[typeof Queues.ArchivedMemberFallback];

/** Schedules one fallback run per archived team member (the job id makes duplicates collapse). */
@Injectable()
export class ArchivedMemberFallbackScheduler {
  constructor(@InjectQueue(Queues.ArchivedMemberFallback) private readonly queue: Queue<FallbackJob>) {}

  async schedule(data: FallbackJob): Promise<void> {
    await this.queue.add('release', data, { ...DEFAULT_JOB_OPTIONS, jobId: `${data.orgId}__${data.teamMemberId}` });
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
