import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MESSAGE_VERSION_MODEL, MessageVersionDoc } from './message-history.schema';

export interface MessageVersion {
  orgId: string;
  channelId: string;
  messageId: string;
  version: number;
  change: 'edit' | 'delete';
  previousBody: string;
  actorId: string;
  as: 'author' | 'staff';
  reason: string | null;
  at: Date;
  /** The patient whose key seals the message (MessageDoc.sealedFor): the history is sealed under the same key. */
  sealedFor?: string | null;
  /** On reading: the patient's key was erased, so `previousBody` and `reason` are gone (empty / null). */
  erased?: boolean;
}

export abstract class MessageHistoryRepository {
  /** Keeps the state before a change; recording the same version twice (a retried change) keeps the first. */
  abstract record(version: MessageVersion): Promise<void>;
  abstract list(orgId: string, messageId: string): Promise<MessageVersion[]>;
}

@Injectable()
export class MongoMessageHistoryRepository extends MessageHistoryRepository {
  constructor(
    @InjectModel(MESSAGE_VERSION_MODEL) private readonly versions: Model<MessageVersionDoc>,
    private readonly cipher: MessageCipher,
  ) {
    super();
  }

  async record({ previousBody, reason, sealedFor, erased: _erased, ...v }: MessageVersion): Promise<void> {
    const _id = `${v.messageId}:${v.version}`;
    const key = sealingRef(v.orgId, sealedFor);
    const doc: MessageVersionDoc = {
      ...v,
      _id,
      previousBody: await this.cipher.sealHistoryBody(_id, previousBody, key),
      reason: reason ? await this.cipher.sealHistoryBody(`${_id}:reason`, reason, key) : null,
    };
    try {
      // An insert guarded by the unique _id: safe under concurrency on FerretDB too.
      await this.versions.collection.insertOne(doc as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async list(orgId: string, messageId: string): Promise<MessageVersion[]> {
    const docs = await this.versions.find({ orgId, messageId }).sort({ version: 1 }).lean<MessageVersionDoc[]>();
    return Promise.all(
      docs.map(async ({ _id, previousBody, reason, ...v }) => {
        const body = await this.cipher.openHistoryBody(_id, previousBody);
        if (body === null) return { ...v, previousBody: '', reason: null, erased: true };
        return { ...v, previousBody: body, reason: reason ? await this.cipher.openHistoryBody(`${_id}:reason`, reason) : null };
      }),
    );
  }
}
