import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ChannelActivityJob, JobIds, JobRetries, Jobs, Queues, UserDigestJob } from '@wellifiy/contracts';
import { currentTraceContext } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { digestDelayMs, DigestTiming } from './digest-timing';

/**
 * Puts digest work on BullMQ. Job ids are explicit: while a user's digest is waiting, scheduling it again
 * is a no-op, so a burst of messages across any number of channels yields one email.
 */
@Injectable()
export class DigestScheduler {
  constructor(
    @InjectQueue(Queues.Digest) private readonly queue: Queue,
    private readonly config: NotificationsConfig,
  ) {}

  /** One job per channel burst (not per message or member): it fans out to the members' digests when it runs. */
  async channelActivity(orgId: string, channelId: string, correlationId?: string): Promise<void> {
    const data: ChannelActivityJob = { orgId, channelId, ...(correlationId ? { correlationId } : {}), ...currentTraceContext() };
    await this.queue.add(Jobs.ChannelActivity, data, {
      ...JobRetries[Queues.Digest],
      jobId: JobIds.channelActivity(orgId, channelId),
      delay: this.config.DIGEST_FANOUT_DELAY_MS,
    });
  }

  /** Schedules the user's digest unless one is already waiting; false when they get no emails. */
  async scheduleUser(orgId: string, userId: string, timing: DigestTiming, correlationId?: string): Promise<boolean> {
    const delay = digestDelayMs(timing, new Date(), { minuteMs: this.config.DIGEST_MINUTE_MS, dailyHourUtc: this.config.DIGEST_DAILY_HOUR_UTC });
    if (delay === null) return false;
    const data: UserDigestJob = { orgId, userId, ...(correlationId ? { correlationId } : {}), ...currentTraceContext() };
    await this.queue.add(Jobs.UserDigest, data, { ...JobRetries[Queues.Digest], jobId: JobIds.userDigest(orgId, userId), delay });
    return true;
  }

  /** The user changed their email preferences: a waiting digest is rescheduled under the new ones. */
  async reschedule(orgId: string, userId: string, timing: DigestTiming): Promise<void> {
    const job = await this.queue.getJob(JobIds.userDigest(orgId, userId));
    if (!job || !(await job.isDelayed())) return;
    await job.remove();
    await this.scheduleUser(orgId, userId, timing);
  }
}
