import type { Collection, Document } from 'mongodb';
import { isDuplicateKeyError } from './duplicate-key';

export interface InsertBatcherOptions {
  /** How long the first document of a batch waits for others (ms). */
  lingerMs: number;
  /** Most documents per insertMany. */
  maxBatch: number;
}

interface Waiting {
  doc: Document;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Insert-only writes of one collection, grouped: documents handed in within `lingerMs` of each other (or while
 * the previous batch is being written) go together as one unordered `insertMany`. Each caller's promise settles
 * when its own document is stored — so an event handler that awaits it acknowledges its delivery only after
 * the write, as with a single insert. For collections whose one unique index is `_id`: a document whose id is
 * already stored (a redelivery) counts as stored. Nothing is kept in memory past the write it waits for.
 */
export class InsertBatcher {
  private pending: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(
    private readonly collection: () => Collection,
    private readonly opts: InsertBatcherOptions,
  ) {}

  insert(doc: Document): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ doc, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing) return; // the write in flight takes the next batch when it is done
    if (this.pending.length >= this.opts.maxBatch) {
      this.clearTimer();
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.lingerMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.opts.maxBatch);
    if (!batch.length) return;
    this.writing = true;
    try {
      const failed = await this.write(batch.map((w) => w.doc));
      batch.forEach((w, i) => (failed.has(i) ? w.reject(failed.get(i)) : w.resolve()));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.writing = false;
      // Whatever arrived during the write has waited long enough: written at once.
      if (this.pending.length) void this.flush();
    }
  }

  /** Indexes of the documents that could not be stored, with their error; duplicates of stored ones are not. */
  private async write(docs: Document[]): Promise<Map<number, unknown>> {
    const failed = new Map<number, unknown>();
    try {
      await this.collection().insertMany(docs, { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
      if (!Array.isArray(writeErrors)) throw err;
      const list = writeErrors as { index: number; code?: number; errmsg?: string }[];
      // Anything but per-document errors (e.g. a write concern failure) leaves the whole batch unknown.
      if (!list.length || (err as { writeConcernErrors?: unknown[] }).writeConcernErrors?.length) throw err;
      for (const e of list) if (!isDuplicateKeyError(e)) failed.set(e.index, new Error(`insert failed: ${e.errmsg ?? `code ${e.code}`}`));
    }
    return failed;
  }
}
