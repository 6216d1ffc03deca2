import { Schema } from 'mongoose';
import { MESSAGE_CHANGED_BY, MessageChangedBy, USER_KINDS, UserKind } from '@wellifiy/contracts';
import type { StoredBox } from '@wellifiy/crypto';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';

export interface MessageDoc extends WithOutbox {
  _id: string;
  orgId: string;
  channelId: string;
  seq: number;
  /** seqBucket(seq): lets FerretDB find a stretch of the timeline by equality (see message.store). */
  bucket?: number;
  senderId: string;
  senderKind: UserKind;
  clientMessageId: string;
  /**
   * Encrypted at rest (MessageCipher); never plaintext in the database. null once removed by the organisation's
   * retention period (the message stays as a tombstone, `deletedBy: 'retention'`).
   */
  body: StoredBox | null;
  /**
   * The patient whose key seals this message's content (the channel's patient, else a patient sender): erasing
   * that patient destroys the key. Absent/null: sealed under the master key ring alone (staff-only content, or
   * stored before patient keys existed).
   */
  sealedFor?: string | null;
  /** When retention removed the content (body, history, preview, media). */
  purgedAt?: Date | null;
  /** When retention removed the media only (mediaDays shorter than messageContentDays). */
  mediaPurgedAt?: Date | null;
  threadId: string | null;
  createdAt: Date;
  /** Thread roots: replies so far and the newest one's time (recounted under the root's lock). */
  replyCount?: number;
  lastReplyAt?: Date | null;
  /** Reactor ids per emoji — arrays, never document keys made of user input. */
  reactions?: { emoji: string; userIds: string[] }[];
  editedAt?: Date | null;
  editedBy?: MessageChangedBy | null;
  /** Soft delete: the body stays (encrypted) for retention; clients get a tombstone. */
  deleted?: boolean;
  deletedAt?: Date | null;
  deletedBy?: MessageChangedBy | null;
  /** Compare-and-set version of in-place changes (reactions, thread counters, edit, delete); absent = 0. */
  version?: number;
  /** Media ids posted with the message (apps/messages/src/media). */
  attachments?: string[];
  /** Encrypted at rest like the body: it repeats the body's link. Set by the link preview job. */
  linkPreview?: StoredBox | null;
}

export const MessageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    channelId: { type: String, required: true },
    seq: { type: Number, required: true },
    bucket: { type: Number },
    senderId: { type: String, required: true },
    senderKind: { type: String, enum: USER_KINDS, required: true },
    clientMessageId: { type: String, required: true },
    body: { type: Object, default: null },
    sealedFor: { type: String, default: null },
    purgedAt: { type: Date },
    mediaPurgedAt: { type: Date },
    threadId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    replyCount: { type: Number },
    lastReplyAt: { type: Date },
    reactions: { type: [Object], default: undefined },
    editedAt: { type: Date },
    editedBy: { type: String, enum: MESSAGE_CHANGED_BY },
    deleted: { type: Boolean },
    deletedAt: { type: Date },
    deletedBy: { type: String, enum: MESSAGE_CHANGED_BY },
    version: { type: Number },
    attachments: { type: [String], default: undefined },
    linkPreview: { type: Object, default: null },
    ...outboxSchemaFields,
  },
  { collection: 'messages', versionKey: false },
);
// serves: timeline paging by seq (after/before), the channel's current maximum, and the guarantee that a seq is used once
MessageSchema.index({ channelId: 1, seq: 1 }, { unique: true });
// serves: timeline reads on FerretDB, which hands equalities to its backend but evaluates seq ranges itself
MessageSchema.index({ channelId: 1, bucket: 1 });
// serves: idempotent send — a retried clientMessageId finds the original
MessageSchema.index({ channelId: 1, senderId: 1, clientMessageId: 1 }, { unique: true });

// serves: a thread's replies paged by seq and counted (threadId = root), and the roots-only timeline (threadId null)
MessageSchema.index({ channelId: 1, threadId: 1, seq: 1 });

// serves: the retention sweep — an organisation's messages older than its cutoff (equality on orgId, range on createdAt)
MessageSchema.index({ orgId: 1, createdAt: 1 });

export const MESSAGE_MODEL = 'Message';

/** Messages per timeline bucket. A page of up to 100 messages spans at most two buckets. */
export const SEQ_BUCKET = 128;
export const seqBucket = (seq: number): number => Math.floor(seq / SEQ_BUCKET);
