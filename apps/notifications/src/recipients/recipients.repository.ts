import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { UserKind } from '@wellifiy/contracts';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { RECIPIENT_MODEL, RecipientDoc } from './recipient.schema';

export type Recipient = RecipientDoc;

export abstract class RecipientsRepository {
  abstract insertIfAbsent(orgId: string, userId: string, kind: UserKind, email: string | null): Promise<void>;
  /** false when the recipient is unknown (yet). */
  abstract update(orgId: string, userId: string, fields: Partial<Pick<RecipientDoc, 'email' | 'archived'>>): Promise<boolean>;
  abstract find(orgId: string, userId: string): Promise<Recipient | null>;
}

@Injectable()
export class MongoRecipientsRepository extends RecipientsRepository {
  constructor(@InjectModel(RECIPIENT_MODEL) private readonly recipients: Model<RecipientDoc>) {
    super();
  }

  async insertIfAbsent(orgId: string, userId: string, kind: UserKind, email: string | null): Promise<void> {
    try {
      await this.recipients.updateOne(
        { orgId, userId },
        { $setOnInsert: { orgId, userId, kind, email, archived: false, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async update(orgId: string, userId: string, fields: Partial<Pick<RecipientDoc, 'email' | 'archived'>>): Promise<boolean> {
    const res = await this.recipients.updateOne({ orgId, userId }, { $set: { ...fields, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async find(orgId: string, userId: string): Promise<Recipient | null> {
    const doc = await this.recipients.findOne({ orgId, userId }).lean<RecipientDoc & { _id: unknown }>();
    if (!doc) return null;
    const { _id, ...rest } = doc;
    return rest;
  }
}
