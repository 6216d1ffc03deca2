/**
 * BullMQ queue names and job payloads, in one place: renaming a queue strands the jobs already in it,
 * so names change here deliberately or not at all.
 */
export const Queues = {
  ArchivedMemberFallback: 'channels-archived-member-fallback',
  LinkPreview: 'messages-link-preview',
  MediaCleanup: 'messages-media-cleanup',
  RetentionPurge: 'messages-retention-purge',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

export interface JobPayloads {
  [Queues.ArchivedMemberFallback]: { orgId: string; teamMemberId: string; correlationId?: string };
  /** Ids only: job data rests in Redis, so the processor reads the (encrypted) message for its link itself. */
  [Queues.LinkPreview]: { orgId: string; messageId: string; correlationId?: string };
  [Queues.MediaCleanup]: { orgId: string; mediaId: string };
  /** One repeatable sweep over every organisation with a retention period. */
  [Queues.RetentionPurge]: Record<string, never>;
}

/** Retries with exponential backoff, for every queue. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
} as const;
