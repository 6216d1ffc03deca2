import { Schema } from 'mongoose';
import type { StoredBox } from '@wellifiy/crypto';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';

/**
 * Who changed which message, when and why. Append-only: entries are inserted, never updated or deleted, each with
 * its `audit.recorded` event in its outbox (the organisation's one trail is kept by the channels service).
 */
export interface MessageAuditDoc extends Partial<WithOutbox> {
  _id: string;
  orgId: string;
  channelId: string;
  messageId: string;
  action: 'message.edited' | 'message.deleted';
  actorId: string;
  actorKind: string;
  /** `staff` when the actor changed someone else's message (messaging:manage). */
  as: 'author' | 'staff';
  /** May repeat clinical content: sealed like the message's body (under its patient's key, if it has one). */
  reason: StoredBox | null;
  at: Date;
}

export const MessageAuditSchema = new Schema<MessageAuditDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    channelId: { type: String, required: true },
    messageId: { type: String, required: true },
    action: { type: String, required: true },
    actorId: { type: String, required: true },
    actorKind: { type: String, required: true },
    as: { type: String, required: true },
    reason: { type: Object, default: null },
    at: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'message_audit', versionKey: false },
);
// serves: a message's audit trail, newest first (compliance review)
MessageAuditSchema.index({ orgId: 1, messageId: 1, at: 1 });

/**
 * Read access: who fetched which channel's messages, thread, media or message versions, when. Ids and counts only,
 * no content; each row carries its `audit.recorded` event in its outbox.
 */
export interface ReadAccessDoc extends Partial<WithOutbox> {
  _id: string;
  orgId: string;
  /** Absent for a media read (media is granted to channels, not read through one). */
  channelId?: string;
  userId: string;
  userKind: string;
  /**
   * `timeline` (GET …/messages), `thread` (GET …/replies, with `messageId` = the root), `media` (a read ticket for
   * `mediaId`) or `versions` (a compliance officer read every version of `messageId`).
   */
  what: ReadKind;
  messageId?: string;
  mediaId?: string;
  /** How many messages the response held, and the seq range. */
  count: number;
  fromSeq?: number;
  toSeq?: number;
  at: Date;
}

export const ReadAccessSchema = new Schema<ReadAccessDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    channelId: { type: String },
    userId: { type: String, required: true },
    userKind: { type: String, required: true },
    what: { type: String, required: true },
    messageId: { type: String },
    mediaId: { type: String },
    count: { type: Number, required: true },
    fromSeq: { type: Number },
    toSeq: { type: Number },
    at: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'read_access_log', versionKey: false },
);
// serves: "who read this channel, when" (compliance review)
ReadAccessSchema.index({ orgId: 1, channelId: 1, at: 1 });
// serves: "what did this user read, when"
ReadAccessSchema.index({ orgId: 1, userId: 1, at: 1 });

export const MESSAGE_AUDIT_MODEL = 'MessageAudit';
export const READ_ACCESS_MODEL = 'ReadAccess';

export type ReadKind = 'timeline' | 'thread' | 'media' | 'versions';

/** The trail's action for each kind of read. */
export const READ_ACTIONS: Record<ReadKind, string> = {
  timeline: 'messages.read',
  thread: 'thread.read',
  media: 'media.read',
  versions: 'message.versions.read',
};
