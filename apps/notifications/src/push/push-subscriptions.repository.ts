import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DocumentLocks, documentKey } from '@wellifiy/messaging';
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

export abstract class PushSubscriptionsRepository {
  /** One row per device: registering an endpoint again (even by another user of the org) takes it over. */
  abstract upsert(orgId: string, userId: string, endpoint: string, keys: { p256dh: string; auth: string }): Promise<PushSubscriptionRecord>;
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
    private readonly locks: DocumentLocks,
  ) {
    super();
  }

  async upsert(orgId: string, userId: string, endpoint: string, keys: { p256dh: string; auth: string }): Promise<PushSubscriptionRecord> {
    return this.locks.run(documentKey(this.subs.collection.name, `${orgId}|${endpoint}`), async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const existing = await this.subs.findOne({ orgId, endpoint }).lean<PushSubscriptionDoc>();
        if (existing) {
          await this.subs.collection.updateOne({ _id: existing._id as never, orgId }, { $set: { userId, keys } });
          return toRecord({ ...existing, userId, keys });
        }
        const doc: PushSubscriptionDoc = { _id: newId('psub'), orgId, userId, provider: 'webpush', endpoint, keys, createdAt: new Date() };
        try {
          await this.subs.collection.insertOne(doc as never);
          return toRecord(doc);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err; // another replica registered it first: take that row over
        }
      }
      throw new Error('push subscription could not be stored');
    });
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
