import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { newId } from '@wellifiy/persistence';
import { MessageCipher } from '../encryption/message-cipher';
import { MESSAGE_AUDIT_MODEL, MessageAuditDoc, READ_ACCESS_MODEL, ReadAccessDoc } from './audit.schema';

export type MessageAuditEntry = Omit<MessageAuditDoc, '_id' | 'reason'> & { reason: string | null };
export type ReadAccessEntry = Omit<ReadAccessDoc, '_id'>;

export abstract class AuditRepository {
  abstract recordChange(entry: MessageAuditEntry): Promise<void>;
  /**
   * Written before the read is answered: a compliance trail must survive a crash of this process, so no
   * read is served whose audit row is not in the database (one insert per read, no in-memory buffer).
   */
  abstract recordRead(entry: ReadAccessEntry): Promise<void>;
}

@Injectable()
export class MongoAuditRepository extends AuditRepository {
  constructor(
    @InjectModel(MESSAGE_AUDIT_MODEL) private readonly changes: Model<MessageAuditDoc>,
    @InjectModel(READ_ACCESS_MODEL) private readonly reads: Model<ReadAccessDoc>,
    private readonly cipher: MessageCipher,
  ) {
    super();
  }

  async recordChange({ reason, ...entry }: MessageAuditEntry): Promise<void> {
    const _id = newId('aud');
    const doc: MessageAuditDoc = { ...entry, _id, reason: reason ? this.cipher.sealAuditReason(_id, reason) : null };
    await this.changes.collection.insertOne(doc as never);
  }

  async recordRead(entry: ReadAccessEntry): Promise<void> {
    await this.reads.collection.insertOne({ _id: newId('read'), ...entry } as never);
  }
}
