import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobIds, JobPayloads, JobRetries, Jobs, Queues } from '@wellifiy/contracts';
import { MessagesConfig } from '../config/messages.config';
import { RetentionPurgeService, SweepResult } from '../retention/retention-purge.service';

type RetentionPurgeJob = JobPayloads[typeof Queues.RetentionPurge];

/**
 * One repeatable job for the whole service (a BullMQ job scheduler, upserted at every boot, so replicas share one
 * schedule and a changed interval replaces the old one). A sweep is never run twice at once: the queue's worker
 * takes one job at a time, and a run that finds everything done does nothing.
 */
@Injectable()
export class RetentionPurgeScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(Queues.RetentionPurge) private readonly queue: Queue<RetentionPurgeJob>,
    private readonly config: MessagesConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JobIds.retentionScheduler,
      { every: this.config.RETENTION_SWEEP_MS },
      { name: Jobs.RetentionSweep, data: {}, opts: JobRetries[Queues.RetentionPurge] },
    );
  }
}

@Processor(Queues.RetentionPurge, { concurrency: 1 })
export class RetentionPurgeJobProcessor extends WorkerHost {
  constructor(private readonly sweeper: RetentionPurgeService) {
    super();
  }

  process(_job: Job<RetentionPurgeJob>): Promise<SweepResult> {
    return this.sweeper.sweep();
  }
}
