import { Schema } from 'mongoose';
import { USER_KINDS, UserKind } from '@wellifiy/contracts';
import type { SealedBox } from '@wellifiy/crypto';

/** Where to reach a user (digest emails). Only contact data: no names are kept here. */
export interface RecipientDoc {
  orgId: string;
  userId: string;
  kind: UserKind;
  /**
   * Sealed with the key ring, bound to the recipient (`recipient:<orgId>:<userId>:email`); a plain string was
   * stored before sealing existed and is sealed when next written. Never queried by value: lookups are by id.
   */
  email: SealedBox | string | null;
  archived: boolean;
  /** Set when the patient was erased: the email is gone and later updates are ignored. */
  erasedAt?: Date | null;
  updatedAt: Date;
}

export const RecipientSchema = new Schema<RecipientDoc>(
  {
    orgId: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: USER_KINDS, required: true },
    email: { type: Object, default: null },
    archived: { type: Boolean, default: false },
    erasedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'recipients', versionKey: false },
);
// serves: finding one recipient by id within an organisation
RecipientSchema.index({ orgId: 1, userId: 1 }, { unique: true });

export const RECIPIENT_MODEL = 'Recipient';
