import { Queue } from 'bullmq';
import { JobIds, Queues } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { NotificationsConfig } from '../config/notifications.config';
import { DigestScheduler } from './digest.scheduler';

describe('DigestScheduler (Redis, BullMQ)', () => {
  const prefix = uniqueName('it-bull');
  let queue: Queue;
  let scheduler: DigestScheduler;
  const config = { DIGEST_MINUTE_MS: 60_000, DIGEST_DAILY_HOUR_UTC: 8, DIGEST_FANOUT_DELAY_MS: 1000 } as NotificationsConfig;

  beforeAll(() => {
    queue = new Queue(Queues.Digest, { connection: bullConnection(testInfra.redisUrl), prefix });
    scheduler = new DigestScheduler(queue, config);
  });

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  });

  it('a burst schedules one delayed digest per user (explicit job id), at the user’s delay', async () => {
    const timing = { emailFrequency: 'after_delay' as const, emailDelayMinutes: 15 };
    await Promise.all(Array.from({ length: 10 }, () => scheduler.scheduleUser('org_1', 'u1', timing)));
    await scheduler.scheduleUser('org_1', 'u2', timing);

    const delayed = await queue.getDelayed();
    expect(delayed.map((j) => j.id).sort()).toEqual([JobIds.userDigest('org_1', 'u1'), JobIds.userDigest('org_1', 'u2')]);
    expect(delayed[0].opts.delay).toBe(15 * 60_000);
  });

  it('replicas: two notifications processes (own queue connections) scheduling one user and one channel at once add one job each', async () => {
    const other = new Queue(Queues.Digest, { connection: bullConnection(testInfra.redisUrl), prefix });
    try {
      const replicas = [scheduler, new DigestScheduler(other, config)];
      const timing = { emailFrequency: 'after_delay' as const, emailDelayMinutes: 15 };
      await Promise.all(replicas.flatMap((r) => [r.scheduleUser('org_r', 'u_r', timing), r.channelActivity('org_r', 'ch_r'), r.scheduleUser('org_r', 'u_r', timing)]));
      const ids = (await queue.getDelayed()).map((j) => j.id).filter((id) => id?.includes('org_r'));
      expect(ids.sort()).toEqual([JobIds.channelActivity('org_r', 'ch_r'), JobIds.userDigest('org_r', 'u_r')].sort());
    } finally {
      await other.close();
    }
  });

  it('emails off: nothing is scheduled', async () => {
    expect(await scheduler.scheduleUser('org_1', 'u3', { emailFrequency: 'off', emailDelayMinutes: 15 })).toBe(false);
    expect(await queue.getJob(JobIds.userDigest('org_1', 'u3'))).toBeUndefined();
  });

  it('a channel burst is one fan-out job', async () => {
    await Promise.all(Array.from({ length: 5 }, () => scheduler.channelActivity('org_1', 'ch_1')));
    expect((await queue.getDelayed()).filter((j) => j.id === JobIds.channelActivity('org_1', 'ch_1'))).toHaveLength(1);
  });

  it('changing the email timing reschedules a waiting digest under the new delay', async () => {
    await scheduler.scheduleUser('org_1', 'u4', { emailFrequency: 'after_delay', emailDelayMinutes: 15 });
    await scheduler.reschedule('org_1', 'u4', { emailFrequency: 'after_delay', emailDelayMinutes: 2 });
    expect((await queue.getJob(JobIds.userDigest('org_1', 'u4')))?.opts.delay).toBe(2 * 60_000);
    await scheduler.reschedule('org_1', 'u4', { emailFrequency: 'off', emailDelayMinutes: 2 });
    expect(await queue.getJob(JobIds.userDigest('org_1', 'u4'))).toBeUndefined();
  });
});
