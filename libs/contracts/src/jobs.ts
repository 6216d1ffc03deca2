/**
 * BullMQ, in one place: queue names, job names, payloads, job ids and retry policy. Renaming a queue or a
 * job strands the jobs already queued under the old name, and changing an id's format stops it deduplicating
 * against jobs already queued, so all of them change here deliberately or not at all (docs/jobs.md).
 */
export const Queues = {
  ArchivedMemberFallback: 'channels-archived-member-fallback',
  LinkPreview: 'messages-link-preview',
  MediaCleanup: 'messages-media-cleanup',
  RetentionPurge: 'messages-retention-purge',
  Digest: 'notifications-digest',
  Push: 'notifications-push',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

export const Jobs = {
  /** Hands an archived team member's channels on (channels). */
  ArchivedMemberRelease: 'release',
  /** Fetches the preview of a message's first link (messages). */
  LinkPreview: 'preview',
  /** Deletes an upload nobody attached (messages). */
  MediaCleanup: 'cleanup',
  /** One retention sweep over every organisation with a retention period (messages, repeatable). */
  RetentionSweep: 'sweep',
  /** A channel had new messages: schedule its members' digests (one job per channel burst). */
  ChannelActivity: 'channel-activity',
  /** One user's digest email, if they still have unread messages when it fires. */
  UserDigest: 'user-digest',
  /** One push to one device. */
  PushSend: 'push-send',
} as const;
export type JobName = (typeof Jobs)[keyof typeof Jobs];

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

export interface JobPayloads {
  [Queues.ArchivedMemberFallback]: { orgId: string; teamMemberId: string; correlationId?: string };
  /** Ids only: job data rests in Redis, so the processor reads the (encrypted) message for its link itself. */
  [Queues.LinkPreview]: { orgId: string; messageId: string; correlationId?: string };
  [Queues.MediaCleanup]: { orgId: string; mediaId: string };
  /** One repeatable sweep over every organisation with a retention period. */
  [Queues.RetentionPurge]: Record<string, never>;
  [Queues.Digest]: ChannelActivityJob | UserDigestJob;
  [Queues.Push]: PushSendJob;
}

/**
 * Explicit job ids (the dedupe: adding a job whose id is queued, or still kept, is a no-op). Built here only,
 * as `<kind>|<id>|<id>`: BullMQ refuses ':' in custom ids, and no id of ours contains '|'. The ids of the
 * three queues that used `<id>__<id>` before are in LegacyJobIds, looked up before adding until every job
 * queued under them has run (docs/jobs.md).
 */
export const JobIds = {
  archivedMemberRelease: (orgId: string, teamMemberId: string): string => `release|${orgId}|${teamMemberId}`,
  linkPreview: (orgId: string, messageId: string): string => `preview|${orgId}|${messageId}`,
  mediaCleanup: (orgId: string, mediaId: string): string => `cleanup|${orgId}|${mediaId}`,
  channelActivity: (orgId: string, channelId: string): string => `activity|${orgId}|${channelId}`,
  userDigest: (orgId: string, userId: string): string => `digest|${orgId}|${userId}`,
  pushSend: (messageId: string, subscriptionId: string): string => `push|${messageId}|${subscriptionId}`,
  /** The id of the retention queue's job scheduler (one repeatable job per deployment). */
  retentionScheduler: 'retention-sweep',
} as const;

/**
 * The ids these jobs had before JobIds: a job queued under one still deduplicates a new one (the scheduler
 * looks it up first). Remove once no such job can be left — a day after the rollout (the longest of them:
 * media cleanup, MEDIA_UNATTACHED_MAX_AGE_MINUTES; completed link previews are kept a day).
 */
export const LegacyJobIds = {
  archivedMemberRelease: (orgId: string, teamMemberId: string): string => `${orgId}__${teamMemberId}`,
  linkPreview: (orgId: string, messageId: string): string => `${orgId}__${messageId}`,
  mediaCleanup: (orgId: string, mediaId: string): string => `${orgId}__${mediaId}`,
} as const;

/** BullMQ's job options for retries and for keeping finished jobs (structurally its `JobsOptions`). */
export interface JobRetryPolicy {
  readonly attempts?: number;
  readonly backoff: { readonly type: 'exponential'; readonly delay: number };
  readonly removeOnComplete?: boolean | { readonly age: number };
  readonly removeOnFail?: boolean | number;
}

const exponential = (delay: number) => ({ type: 'exponential', delay }) as const;

/**
 * Retries (attempts + exponential backoff) and how long finished jobs are kept, per queue: the only place.
 * A job kept after it finished still deduplicates its id; one removed lets the id be used again.
 */
export const JobRetries = {
  [Queues.ArchivedMemberFallback]: { attempts: 6, backoff: exponential(1000), removeOnComplete: true, removeOnFail: 1000 },
  // Completed previews are kept a day, so a redelivered message.created collapses into its job.
  [Queues.LinkPreview]: { attempts: 6, backoff: exponential(1000), removeOnComplete: { age: 24 * 3600 }, removeOnFail: 1000 },
  [Queues.MediaCleanup]: { attempts: 6, backoff: exponential(1000), removeOnComplete: true, removeOnFail: 1000 },
  [Queues.RetentionPurge]: { attempts: 3, backoff: exponential(1000), removeOnComplete: true, removeOnFail: 100 },
  // Completed or failed digest jobs are removed so their id can be used again by the next burst.
  [Queues.Digest]: { attempts: 5, backoff: exponential(2000), removeOnComplete: true, removeOnFail: true },
  // Attempts: PUSH_MAX_ATTEMPTS (notifications config). Completed ids are kept for a day: a redelivered
  // message.created adds nothing (the handler is repeat-safe).
  [Queues.Push]: { backoff: exponential(1000), removeOnComplete: { age: 24 * 3600 }, removeOnFail: true },
} as const satisfies Record<QueueName, JobRetryPolicy>;
