import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { UserKind } from '@wellifiy/contracts';
import { KeyRing, RecordCipher } from '@wellifiy/crypto';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { RECIPIENT_MODEL, RecipientDoc } from './recipient.schema';

/** A recipient as the service sees it: the email in the clear (sealed at rest by the repository). */
export type Recipient = Omit<RecipientDoc, 'email'> & { email: string | null };

export abstract class RecipientsRepository {
  abstract insertIfAbsent(orgId: string, userId: string, kind: UserKind, email: string | null): Promise<void>;
  /** false when the recipient is unknown (yet). */
  abstract update(orgId: string, userId: string, fields: Partial<Pick<Recipient, 'email' | 'archived'>>): Promise<boolean>;
  abstract find(orgId: string, userId: string): Promise<Recipient | null>;
}

@Injectable()
export class MongoRecipientsRepository extends RecipientsRepository {
  private readonly cipher: RecordCipher;

  constructor(
    @InjectModel(RECIPIENT_MODEL) private readonly recipients: Model<RecipientDoc>,
    ring: KeyRing,
  ) {
    super();
    this.cipher = new RecordCipher(ring, 'recipient');
  }

  async insertIfAbsent(orgId: string, userId: string, kind: UserKind, email: string | null): Promise<void> {
    try {
      await this.recipients.updateOne(
        { orgId, userId },
        { $setOnInsert: { orgId, userId, kind, email: this.cipher.seal(`${orgId}:${userId}`, 'email', email), archived: false, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async update(orgId: string, userId: string, fields: Partial<Pick<Recipient, 'email' | 'archived'>>): Promise<boolean> {
    const sealed = this.cipher.sealFields(`${orgId}:${userId}`, fields, ['email']);
    // An erased recipient stays without an email: a late or replayed update is ignored (known, not changed).
    const res = await this.recipients.updateOne({ orgId, userId, erasedAt: null }, { $set: { ...sealed, updatedAt: new Date() } });
    return res.matchedCount === 1 || (await this.recipients.exists({ orgId, userId })) !== null;
  }

  async find(orgId: string, userId: string): Promise<Recipient | null> {
    const doc = await this.recipients.findOne({ orgId, userId }).lean<RecipientDoc & { _id: unknown }>();
    if (!doc) return null;
    const { _id, email, ...rest } = doc;
    return { ...rest, email: this.cipher.open(`${orgId}:${userId}`, 'email', email) };
  }
}
