import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { PushSendJob, Queues } from '@wellifiy/contracts';
import { runJob } from '@wellifiy/messaging';
import { PushRefusedError } from '../push/push-provider';
import { PushService } from '../push/push.service';

/** One push to one device; failures are retried with backoff, except refusals retrying cannot fix. */
@Processor(Queues.Push)
export class PushJob extends WorkerHost {
  constructor(private readonly push: PushService) {
    super();
  }

  process(job: Job<PushSendJob>): Promise<unknown> {
    return runJob(Queues.Push, job, async () => {
      try {
        return await this.push.deliver(job.data);
      } catch (err) {
        if (err instanceof PushRefusedError) throw new UnrecoverableError(err.message);
        throw err;
      }
    });
  }
}
