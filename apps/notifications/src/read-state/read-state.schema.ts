import { Schema } from 'mongoose';
import { USER_KINDS, UserKind } from '@wellifiy/contracts';

/**
 * Per member per channel: the read marker (Mattermost model — unread = channel total vs the member's
 * position at last read), the seq a digest email already covered, and the member's own archive flag.
 * Rows are written when membership, reading or archiving changes — never per message: a sender's move to their
 * own message is kept in the channel's document (`sentSeq`), and the marker is the further of the two (readMarker).
 */
export interface ReadStateDoc {
  /** `<channelId>|<userId>` */
  _id: string;
  orgId: string;
  channelId: string;
  userId: string;
  kind: UserKind;
  /** false once removed from the channel (kept so a re-add does not resurrect old unread). */
  member: boolean;
  /** Version of the membership snapshot that last set `member` (snapshots apply in any order). */
  memberVersion: number;
  readSeq: number;
  readAt: Date | null;
  /** Messages up to this seq were already counted in a digest email: never emailed again. */
  digestSeq: number;
  archived: boolean;
  /** Time of the archive/unarchive event applied: events carry no version, so their time orders them. */
  archivedAt: Date | null;
}

export const ReadStateSchema = new Schema<ReadStateDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    channelId: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: USER_KINDS, required: true },
    member: { type: Boolean, default: false },
    memberVersion: { type: Number, default: 0 },
    readSeq: { type: Number, default: 0 },
    readAt: { type: Date, default: null },
    digestSeq: { type: Number, default: 0 },
    archived: { type: Boolean, default: false },
    archivedAt: { type: Date, default: null },
  },
  { collection: 'read_states', versionKey: false },
);
// serves: a user's channels for the unread summary, badges and digests ({ orgId, userId $in, member: true })
ReadStateSchema.index({ orgId: 1, userId: 1, member: 1 });
// serves: a channel's members for receipts, digest fan-out and push ({ orgId, channelId, member: true })
ReadStateSchema.index({ orgId: 1, channelId: 1, member: 1 });

export const READ_STATE_MODEL = 'ReadState';

export const readStateId = (channelId: string, userId: string): string => `${channelId}|${userId}`;
