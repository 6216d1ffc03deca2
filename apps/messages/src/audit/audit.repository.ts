import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AuditRecordedData, Events } from '@wellifiy/contracts';
import { newOutbox, OutboxRelay, StoredOutboxEntry } from '@wellifiy/messaging';
import { isDuplicateKeyError, newId } from '@wellifiy/persistence';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MESSAGE_AUDIT_MODEL, MessageAuditDoc, READ_ACTIONS, READ_ACCESS_MODEL, ReadAccessDoc } from './audit.schema';

export type MessageAuditEntry = Omit<MessageAuditDoc, '_id' | 'reason' | 'outbox' | 'outboxAt' | 'outboxPending'> & {
  reason: string | null;
  /** The patient whose key seals the message (MessageDoc.sealedFor): the reason is sealed under the same key. */
  sealedFor?: string | null;
  /** The message's seq, for the organisation's trail. */
  seq: number;
  /**
   * Derived from the change (e.g. `deleted:<messageId>`) so a retried change that records again adds nothing;
   * a fresh id when absent.
   */
  id?: string;
};
export type ReadAccessEntry = Omit<ReadAccessDoc, '_id' | 'outbox' | 'outboxAt' | 'outboxPending'>;

export abstract class AuditRepository {
  /** Written after the change and before it is answered; a second record under the same `id` is ignored. */
  abstract recordChange(entry: MessageAuditEntry): Promise<void>;
  /**
   * Written before the read is answered: a compliance trail must survive a crash of this process, so no
   * read is served whose audit row is not in the database (one insert per read, no in-memory buffer).
   */
  abstract recordRead(entry: ReadAccessEntry): Promise<void>;
}

/**
 * Each row is inserted with its `audit.recorded` event in its own outbox (one insert), then relayed: the
 * channels service keeps the organisation's one trail, and the sweeper delivers what a crash left behind.
 */
@Injectable()
export class MongoAuditRepository extends AuditRepository {
  constructor(
    @InjectModel(MESSAGE_AUDIT_MODEL) private readonly changes: Model<MessageAuditDoc>,
    @InjectModel(READ_ACCESS_MODEL) private readonly reads: Model<ReadAccessDoc>,
    private readonly cipher: MessageCipher,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(changes);
    relay.register(reads);
  }

  async recordChange({ reason, seq, id, sealedFor, ...entry }: MessageAuditEntry): Promise<void> {
    const _id = id ?? newId('aud');
    const event = this.event(_id, entry.orgId, entry.at, {
      action: entry.action, actorId: entry.actorId, channelId: entry.channelId, messageId: entry.messageId, fromSeq: seq, toSeq: seq, reason,
    });
    const doc: MessageAuditDoc = { ...entry, _id, reason: reason ? await this.cipher.sealAuditReason(_id, reason, sealingRef(entry.orgId, sealedFor)) : null, ...newOutbox(event) };
    await this.insert(this.changes, doc, event);
  }

  async recordRead(entry: ReadAccessEntry): Promise<void> {
    const _id = newId('read');
    const event = this.event(_id, entry.orgId, entry.at, {
      action: READ_ACTIONS[entry.what], actorId: entry.userId, channelId: entry.channelId ?? null, messageId: entry.messageId ?? null,
      mediaId: entry.mediaId ?? null, fromSeq: entry.fromSeq ?? null, toSeq: entry.toSeq ?? null,
    });
    await this.insert(this.reads, { _id, ...entry, ...newOutbox(event) }, event);
  }

  /** The entry's event, under the row's id: the channels service deduplicates by it. */
  private event(id: string, orgId: string, at: Date, data: AuditRecordedData): StoredOutboxEntry[] {
    return this.relay.toStored([{ id, type: Events.AuditRecorded, orgId, time: at.toISOString(), data }]);
  }

  private async insert(model: Model<any>, doc: { _id: string }, events: StoredOutboxEntry[]): Promise<void> {
    try {
      await model.collection.insertOne(doc as never);
    } catch (err) {
      // Recorded before (a retried change): its row and event already exist.
      if (isDuplicateKeyError(err)) return;
      throw err;
    }
    this.relay.dispatchSoon(model, doc._id, events, `audit:${doc._id}`);
  }
}
