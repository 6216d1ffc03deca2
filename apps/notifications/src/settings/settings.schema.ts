import { Schema } from 'mongoose';
import { EMAIL_FREQUENCIES, EmailFrequency } from '@wellifiy/contracts';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';

/**
 * A user's notification preferences; absent = the configured defaults. Each change carries its `audit.recorded`
 * event in the outbox (the organisation's audit trail, docs/audit.md).
 */
export interface SettingsDoc extends Partial<WithOutbox> {
  /** `<orgId>|<userId>` */
  _id: string;
  orgId: string;
  userId: string;
  emailFrequency: EmailFrequency;
  emailDelayMinutes: number;
  pushEnabled: boolean;
  mutedChannelIds: string[];
  /** Compare-and-set guard: every change increments it. */
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export const SettingsSchema = new Schema<SettingsDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    userId: { type: String, required: true },
    emailFrequency: { type: String, enum: EMAIL_FREQUENCIES, required: true },
    emailDelayMinutes: { type: Number, required: true },
    pushEnabled: { type: Boolean, required: true },
    mutedChannelIds: { type: [String], default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'notification_settings', versionKey: false },
);
// serves: one user's settings, and the settings of a channel's members ({ orgId, userId $in })
SettingsSchema.index({ orgId: 1, userId: 1 }, { unique: true });

export const SETTINGS_MODEL = 'NotificationSettings';

export const settingsId = (orgId: string, userId: string): string => `${orgId}|${userId}`;
