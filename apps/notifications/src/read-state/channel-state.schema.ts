import { Schema } from 'mongoose';
import { CHANNEL_TYPES, ChannelType, USER_KINDS, UserKind } from '@wellifiy/contracts';

/**
 * Per channel: the newest seq seen and the deleted messages — the "channel total" side of the unread
 * arithmetic. A new message changes this one document only, however many members the channel has.
 */
export interface ChannelStateDoc {
  _id: string;
  orgId: string;
  /** null until the first membership snapshot arrives (a message event may come first). */
  type: ChannelType | null;
  lastSeq: number;
  /** Version of the membership snapshot applied (0: none yet). */
  version: number;
  members: { userId: string; kind: UserKind }[];
  /** Deleted messages (rare): they stop counting as unread. */
  deleted: { seq: number; senderId: string }[];
  /** Mirror of deleted[].seq: FerretDB cannot match inside object arrays, so the "not yet recorded" guard uses this. */
  deletedSeqs: number[];
  /**
   * Each sender's newest message here (field: the encoded user id, see senderField) and its time: the sender's
   * read marker, moved in the same write as lastSeq, so recording a message is one single-document update.
   */
  sentSeq?: Record<string, number>;
  sentAt?: Record<string, Date>;
}

export const ChannelStateSchema = new Schema<ChannelStateDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    type: { type: String, enum: CHANNEL_TYPES, default: null },
    lastSeq: { type: Number, default: 0 },
    version: { type: Number, default: 0 },
    members: { type: [{ userId: String, kind: { type: String, enum: USER_KINDS }, _id: false }], default: [] },
    deleted: { type: [{ seq: Number, senderId: String, _id: false }], default: [] },
    deletedSeqs: { type: [Number], default: [] },
    // No defaults: the message upsert sets fields inside them, which a default on insert would conflict with.
    sentSeq: { type: Schema.Types.Mixed },
    sentAt: { type: Schema.Types.Mixed },
  },
  { collection: 'channel_states', versionKey: false },
);
// Lookups are by _id (the channel id) plus orgId, or _id $in a user's channels: served by the _id index.

export const CHANNEL_STATE_MODEL = 'ChannelState';

/** A user id as a field name: no '.' (a path separator) and no leading '$' (an operator), reversibly. */
export const senderField = (userId: string): string => userId.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24');
export const senderOfField = (field: string): string => field.replace(/%(25|2E|24)/g, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
