/**
 * BullMQ queue and job names, in one place: renaming one strands the jobs already queued under the old
 * name, so they change only with a migration.
 */
export const Queues = {
  Digest: 'notifications-digest',
  Push: 'notifications-push',
} as const;

export const Jobs = {
  /** A channel had new messages: schedule its members' digests (one job per channel burst). */
  ChannelActivity: 'channel-activity',
  /** One user's digest email, if they still have unread messages when it fires. */
  UserDigest: 'user-digest',
  /** One push to one device. */
  PushSend: 'push-send',
} as const;

export interface ChannelActivityJob {
  orgId: string;
  channelId: string;
  correlationId?: string;
}

export interface UserDigestJob {
  orgId: string;
  userId: string;
  correlationId?: string;
}

export interface PushSendJob {
  orgId: string;
  subscriptionId: string;
  channelId: string;
  messageId: string;
  seq: number;
  correlationId?: string;
}

/** BullMQ refuses ':' in custom job ids; ids are built here only. */
export const JobIds = {
  channelActivity: (orgId: string, channelId: string): string => `activity|${orgId}|${channelId}`,
  userDigest: (orgId: string, userId: string): string => `digest|${orgId}|${userId}`,
  pushSend: (messageId: string, subscriptionId: string): string => `push|${messageId}|${subscriptionId}`,
};

/** Retries of the digest queue's jobs (attempts + backoff live here only). */
export const DIGEST_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  // Completed or failed jobs are removed so their id can be used again by the next burst.
  removeOnComplete: true,
  removeOnFail: true,
} as const;

export const PUSH_BACKOFF = { type: 'exponential', delay: 1000 } as const;
