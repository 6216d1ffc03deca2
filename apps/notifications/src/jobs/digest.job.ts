import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ChannelActivityJob, Jobs, Queues, UserDigestJob } from '@wellifiy/contracts';
import { runJob } from '@wellifiy/messaging';
import { DigestService } from '../digest/digest.service';

/** The digest queue: channel bursts fan out to members' digests; a user's digest fires and maybe emails. */
@Processor(Queues.Digest)
export class DigestJob extends WorkerHost {
  constructor(private readonly digests: DigestService) {
    super();
  }

  process(job: Job<ChannelActivityJob | UserDigestJob>): Promise<unknown> {
    return runJob(Queues.Digest, job, () => this.run(job));
  }

  private async run(job: Job<ChannelActivityJob | UserDigestJob>): Promise<unknown> {
    switch (job.name) {
      case Jobs.ChannelActivity: {
        const { orgId, channelId, correlationId } = job.data as ChannelActivityJob;
        return this.digests.fanOut(orgId, channelId, correlationId);
      }
      case Jobs.UserDigest: {
        const { orgId, userId } = job.data as UserDigestJob;
        return this.digests.send(orgId, userId);
      }
      default:
        throw new Error(`unknown digest job ${job.name}`);
    }
  }
}
