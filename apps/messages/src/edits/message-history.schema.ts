import { Schema } from 'mongoose';
import type { StoredBox } from '@wellifiy/crypto';

/**
 * A message's earlier states: one entry per edit or delete, holding the body as it stood before, who changed
 * it, when and why. Inserted once (the _id is `<messageId>:<version>`), never updated.
 */
export interface MessageVersionDoc {
  _id: string;
  orgId: string;
  channelId: string;
  messageId: string;
  /** The message's version the entry preserves (the state before the change). */
  version: number;
  change: 'edit' | 'delete';
  /** Encrypted like bodies. */
  previousBody: StoredBox;
  actorId: string;
  as: 'author' | 'staff';
  reason: StoredBox | null;
  at: Date;
}

export const MessageVersionSchema = new Schema<MessageVersionDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    channelId: { type: String, required: true },
    messageId: { type: String, required: true },
    version: { type: Number, required: true },
    change: { type: String, required: true },
    previousBody: { type: Object, required: true },
    actorId: { type: String, required: true },
    as: { type: String, required: true },
    reason: { type: Object, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'message_versions', versionKey: false },
);
// serves: a message's history in order
MessageVersionSchema.index({ orgId: 1, messageId: 1, version: 1 });

export const MESSAGE_VERSION_MODEL = 'MessageVersion';
