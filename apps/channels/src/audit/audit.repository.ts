import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { KeyRing, RecordCipher } from '@wellifiy/crypto';
import { InsertBatcher } from '@wellifiy/persistence';
import { AUDIT_ENTRY_MODEL, AuditEntryDoc } from './audit.schema';

/** An audit entry as the service sees it (the reason in the clear; the repository seals it at rest). */
export type AuditEntry = Omit<AuditEntryDoc, 'reason'> & { reason: string | null };

export interface AuditQuery {
  channelId?: string;
  patientId?: string;
  actorId?: string;
  action?: string;
  /** At or after. */
  from?: Date;
  /** Strictly before. */
  to?: Date;
  /** The last entry of the previous page: only entries after it in (at desc, _id desc) order. */
  after?: { at: Date; id: string };
  limit: number;
}

/*
 * Every send adds an entry (message.sent): entries arriving together are written as one insertMany. A handler
 * awaits its own entry's write before its event is acknowledged, so an entry is never only in memory; the
 * batch waits at most AUDIT_LINGER_MS for company, off the delivery path (the gateway does not wait for it).
 */
const AUDIT_LINGER_MS = 20;
const AUDIT_BATCH_MAX = 500;

export abstract class AuditRepository {
  /** Insert-only; a second append of the same entry id is ignored. */
  abstract append(entry: AuditEntry): Promise<void>;
  abstract list(orgId: string, q: AuditQuery): Promise<AuditEntry[]>;
}

@Injectable()
export class MongoAuditRepository extends AuditRepository {
  private readonly cipher: RecordCipher;
  private readonly batcher: InsertBatcher;

  constructor(
    @InjectModel(AUDIT_ENTRY_MODEL) private readonly entries: Model<AuditEntryDoc>,
    ring: KeyRing,
  ) {
    super();
    this.cipher = new RecordCipher(ring, 'channel-audit');
    this.batcher = new InsertBatcher(() => this.entries.collection as never, { lingerMs: AUDIT_LINGER_MS, maxBatch: AUDIT_BATCH_MAX });
  }

  async append(entry: AuditEntry): Promise<void> {
    const stored: AuditEntryDoc = { ...entry, reason: this.cipher.seal(entry._id, 'reason', entry.reason) };
    await this.batcher.insert(stored);
  }

  async list(orgId: string, q: AuditQuery): Promise<AuditEntry[]> {
    const at: Record<string, Date> = {};
    if (q.from) at.$gte = q.from;
    if (q.to) at.$lt = q.to;
    const filter: Record<string, unknown> = {
      orgId,
      ...(q.channelId ? { channelId: q.channelId } : {}),
      ...(q.patientId ? { patientId: q.patientId } : {}),
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(Object.keys(at).length ? { at } : {}),
    };
    const cursor = q.after ? { $or: [{ at: { $lt: q.after.at } }, { at: q.after.at, _id: { $lt: q.after.id } }] } : undefined;
    const docs = await this.entries
      .find(cursor ? { $and: [filter, cursor] } : filter)
      .sort({ at: -1, _id: -1 })
      .limit(q.limit)
      .lean<(Omit<AuditEntryDoc, 'reason'> & { reason: AuditEntryDoc['reason'] | string })[]>();
    return docs.map((d) => ({
      ...d, patientId: d.patientId ?? null, messageId: d.messageId ?? null, mediaId: d.mediaId ?? null, fromSeq: d.fromSeq ?? null, toSeq: d.toSeq ?? null,
      reason: this.cipher.open(d._id, 'reason', d.reason),
    }));
  }
}
