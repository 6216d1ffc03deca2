import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { newId } from '@wellifiy/persistence';
import { MessageCipher } from '../encryption/message-cipher';
import { MESSAGE_AUDIT_MODEL, MessageAuditDoc, READ_ACCESS_MODEL, ReadAccessDoc } from './audit.schema';

export type MessageAuditEntry = Omit<MessageAuditDoc, '_id' | 'reason'> & { reason: string | null };
export type ReadAccessEntry = Omit<ReadAccessDoc, '_id'>;

export abstract class AuditRepository {
  abstract recordChange(entry: MessageAuditEntry): Promise<void>;
  /** Queued and written in batches: a read never waits for its audit row. */
  abstract recordRead(entry: ReadAccessEntry): void;
  abstract flush(): Promise<void>;
}

const READ_BATCH_MAX = 200;
const READ_FLUSH_MS = 500;

@Injectable()
export class MongoAuditRepository extends AuditRepository implements OnModuleDestroy {
  private readonly logger = new Logger('ReadAccessAudit');
  private pending: ReadAccessDoc[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

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

  recordRead(entry: ReadAccessEntry): void {
    this.pending.push({ _id: newId('read'), ...entry });
    if (this.pending.length >= READ_BATCH_MAX) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), READ_FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        await this.reads.collection.insertMany(batch as never[], { ordered: false });
      } catch (err) {
        // Rows an earlier attempt wrote come back as duplicates (ids are fixed): nothing is left to write.
        if (isDuplicateOnly(err)) return;
        this.logger.warn(`read access audit batch of ${batch.length} deferred: ${(err as Error).message}`);
        this.pending.unshift(...batch);
        this.timer ??= setTimeout(() => void this.flush(), READ_FLUSH_MS);
      }
    });
    return this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}

function isDuplicateOnly(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] };
  return e.code === 11000 && (e.writeErrors ?? []).every((w) => w.code === 11000);
}
