import { Schema } from 'mongoose';

/** One device's push registration. The endpoint is a capability URL: never logged. */
export interface PushSubscriptionDoc {
  _id: string;
  orgId: string;
  userId: string;
  provider: 'webpush';
  endpoint: string;
  keys: { p256dh: string; auth: string };
  createdAt: Date;
  /** Last (re-)registration from the device: beyond PUSH_MAX_DEVICES_PER_USER, the least recent go first. Absent on rows older than the cap. */
  registeredAt?: Date;
}

export const PushSubscriptionSchema = new Schema<PushSubscriptionDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    userId: { type: String, required: true },
    provider: { type: String, enum: ['webpush'], required: true },
    endpoint: { type: String, required: true },
    keys: { p256dh: { type: String, required: true }, auth: { type: String, required: true } },
    createdAt: { type: Date, required: true },
    registeredAt: { type: Date },
  },
  { collection: 'push_subscriptions', versionKey: false },
);
// serves: re-registering a device (same endpoint) within an organisation, and the guarantee of one row per device
// (so one owner per endpoint: another user's registration of it is refused, see PushSubscriptionsRepository.register)
PushSubscriptionSchema.index({ orgId: 1, endpoint: 1 }, { unique: true });
// serves: the subscriptions of a message's recipients ({ orgId, userId $in }) and a user's devices ({ orgId, userId }, the cap)
PushSubscriptionSchema.index({ orgId: 1, userId: 1 });

export const PUSH_SUBSCRIPTION_MODEL = 'PushSubscription';
