import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { AUDIT_ENTRY_MODEL, AuditEntryDoc } from './audit.schema';

export type AuditEntry = AuditEntryDoc;

export interface AuditQuery {
  channelId?: string;
  before?: Date;
  limit: number;
}

export abstract class AuditRepository {
  /** Insert-only; a second append of the same entry id is ignored. */
  abstract append(entry: AuditEntry): Promise<void>;
  abstract list(orgId: string, q: AuditQuery): Promise<AuditEntry[]>;
}

@Injectable()
export class MongoAuditRepository extends AuditRepository {
  constructor(@InjectModel(AUDIT_ENTRY_MODEL) private readonly entries: Model<AuditEntryDoc>) {
    super();
  }

  async append(entry: AuditEntry): Promise<void> {
    try {
      await this.entries.collection.insertOne(entry as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async list(orgId: string, { channelId, before, limit }: AuditQuery): Promise<AuditEntry[]> {
    return this.entries
      .find({ orgId, ...(channelId ? { channelId } : {}), ...(before ? { at: { $lt: before } } : {}) })
      .sort({ at: -1, _id: -1 })
      .limit(limit)
      .lean<AuditEntry[]>();
  }
}
