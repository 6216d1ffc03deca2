import { Queue } from 'bullmq';
import { JobIds, Queues } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { MessagesConfig } from '../config/messages.config';
import { RetentionPurgeScheduler } from './retention-purge.job';

/** Replicas: every messages process upserts the retention schedule at boot; Redis must hold one, not one per replica. */
describe('RetentionPurgeScheduler across replicas (Redis, BullMQ)', () => {
  const prefix = uniqueName('it-retention-replicas');
  const queues: Queue[] = [];
  const queue = (): Queue => {
    const q = new Queue(Queues.RetentionPurge, { connection: bullConnection(testInfra.redisUrl), prefix });
    queues.push(q);
    return q;
  };

  afterAll(async () => {
    await queues[0]?.obliterate({ force: true }).catch(() => undefined);
    await Promise.all(queues.map((q) => q.close()));
  });

  it('three replicas booting at once, then one restarting with a new interval, leave one schedule and one pending sweep', async () => {
    const config = (ms: number) => ({ RETENTION_SWEEP_MS: ms }) as MessagesConfig;
    await Promise.all([queue(), queue(), queue()].map((q) => new RetentionPurgeScheduler(q as never, config(3_600_000)).onApplicationBootstrap()));
    const q = queues[0];
    expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual([JobIds.retentionScheduler]);

    await new RetentionPurgeScheduler(queue() as never, config(7_200_000)).onApplicationBootstrap();
    const schedulers = await q.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0].every).toBe(7_200_000);
    const pending = await q.getJobs(['delayed', 'waiting', 'prioritized']);
    expect(pending).toHaveLength(1);
  });
});
