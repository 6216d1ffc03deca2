import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError, newId } from '@wellifiy/persistence';
import { PUSH_SUBSCRIPTION_MODEL, PushSubscriptionDoc } from './push-subscription.schema';

export interface PushSubscriptionRecord {
  id: string;
  orgId: string;
  userId: string;
  provider: 'webpush';
  endpoint: string;
  keys: { p256dh: string; auth: string };
  createdAt: Date;
}

export interface RegisterDeviceInput {
  orgId: string;
  userId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The user's most recently registered devices kept; older ones are removed. */
  maxDevices: number;
}

export type RegisterDeviceResult =
  | { status: 'registered'; subscription: PushSubscriptionRecord; evicted: number }
  /** The endpoint belongs to another user of the organisation: it is never moved to this one. */
  | { status: 'endpoint-taken' };

export abstract class PushSubscriptionsRepository {
  /**
   * One row per device (organisation + endpoint), owned by the user who registered it first. The owner
   * registering it again refreshes its keys; another user's registration is refused. Beyond `maxDevices`
   * devices of the user, the least recently registered are deleted.
   */
  abstract register(input: RegisterDeviceInput): Promise<RegisterDeviceResult>;
  abstract find(orgId: string, id: string): Promise<PushSubscriptionRecord | null>;
  abstract ofUsers(orgId: string, userIds: string[]): Promise<PushSubscriptionRecord[]>;
  /** false when there was no such subscription of that user. */
  abstract delete(orgId: string, id: string, userId?: string): Promise<boolean>;
}

function toRecord(d: PushSubscriptionDoc): PushSubscriptionRecord {
  return { id: d._id, orgId: d.orgId, userId: d.userId, provider: d.provider, endpoint: d.endpoint, keys: { p256dh: d.keys.p256dh, auth: d.keys.auth }, createdAt: d.createdAt };
}

@Injectable()
export class MongoPushSubscriptionsRepository extends PushSubscriptionsRepository {
  constructor(
    @InjectModel(PUSH_SUBSCRIPTION_MODEL) private readonly subs: Model<PushSubscriptionDoc>,
  ) {
    super();
  }

  async register({ orgId, userId, endpoint, keys, maxDevices }: RegisterDeviceInput): Promise<RegisterDeviceResult> {
    const registered = await this.store({ orgId, userId, endpoint, keys });
    if (!registered) return { status: 'endpoint-taken' };
    return { status: 'registered', subscription: registered, evicted: await this.trimDevices(orgId, userId, maxDevices, registered.id) };
  }

  private async store({ orgId, userId, endpoint, keys }: Omit<RegisterDeviceInput, 'maxDevices'>): Promise<PushSubscriptionRecord | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      const existing = await this.subs.findOne({ orgId, endpoint }).lean<PushSubscriptionDoc>();
      if (existing) {
        if (existing.userId !== userId) return null;
        // The owner in the filter too: a row deleted and re-registered by someone else meanwhile is not touched.
        const res = await this.subs.collection.updateOne({ _id: existing._id as never, orgId, userId }, { $set: { keys, registeredAt: now } });
        if (res.matchedCount === 1) return toRecord({ ...existing, keys, registeredAt: now });
        continue;
      }
      const doc: PushSubscriptionDoc = { _id: newId('psub'), orgId, userId, provider: 'webpush', endpoint, keys, createdAt: now, registeredAt: now };
      try {
        await this.subs.collection.insertOne(doc as never);
        return toRecord(doc);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // another replica registered it first: read whose it is
      }
    }
    throw new Error('push subscription could not be stored');
  }

  /** Deletes the user's devices beyond the newest `max` (never `keep`, the one just registered). */
  private async trimDevices(orgId: string, userId: string, max: number, keep: string): Promise<number> {
    // serves: { orgId, userId } index
    const mine = await this.subs.find({ orgId, userId }, { _id: 1, createdAt: 1, registeredAt: 1 }).lean<PushSubscriptionDoc[]>();
    if (mine.length <= max) return 0;
    const othersNewestFirst = mine
      .filter((d) => d._id !== keep)
      .sort((a, b) => (b.registeredAt ?? b.createdAt).getTime() - (a.registeredAt ?? a.createdAt).getTime());
    const excess = othersNewestFirst.slice(Math.max(0, max - 1)).map((d) => d._id);
    const res = await this.subs.deleteMany({ _id: { $in: excess }, orgId, userId });
    return res.deletedCount;
  }

  async find(orgId: string, id: string): Promise<PushSubscriptionRecord | null> {
    const doc = await this.subs.findOne({ _id: id, orgId }).lean<PushSubscriptionDoc>();
    return doc ? toRecord(doc) : null;
  }

  async ofUsers(orgId: string, userIds: string[]): Promise<PushSubscriptionRecord[]> {
    if (!userIds.length) return [];
    const docs = await this.subs.find({ orgId, userId: { $in: [...new Set(userIds)] } }).lean<PushSubscriptionDoc[]>();
    return docs.map(toRecord);
  }

  async delete(orgId: string, id: string, userId?: string): Promise<boolean> {
    const res = await this.subs.deleteOne({ _id: id, orgId, ...(userId ? { userId } : {}) });
    return res.deletedCount === 1;
  }
}
