import { Logger } from '@nestjs/common';
import type { Model } from 'mongoose';
import type { SealedBox } from '@wellifiy/crypto';
import { EventName, EventPayloads } from '@wellifiy/contracts';
import { currentContext, currentTraceContext } from './context';
import { EventPublisher, newEventId } from './event-publisher';
import { EventSeal, WireEnvelope } from './event-seal';
import { FaultPoints, NO_FAULTS } from './fault-points';

/** An event a service has decided to announce, before it is stored (`OutboxRelay.toStored`). */
export interface OutboxEntry {
  id: string;
  type: EventName;
  orgId: string;
  time: string;
  data: unknown;
  correlationId?: string;
  /** W3C trace context of the work that decided the event (only while tracing is on): the relay's publish continues that trace. */
  traceparent?: string;
  tracestate?: string;
}

declare const STORED: unique symbol;

/**
 * An event waiting in its document's `outbox` array. It is written by the same single-document update
 * as the state change it describes, so the change and the promise to announce it cannot be separated.
 * Content events (SEALED_EVENT_TYPES) rest with `sealed` instead of `data`, so nothing a person wrote sits in
 * the document in plaintext; the relay publishes them as they are. Only `OutboxRelay.toStored` makes these
 * (the brand is compile-time only), so no writer can store an entry it forgot to seal.
 */
export type StoredOutboxEntry = Omit<OutboxEntry, 'data'> & ({ data: unknown; sealed?: undefined } | { data?: undefined; sealed: SealedBox }) & {
  readonly [STORED]: true;
};

/** The fields a document needs to carry an outbox (add them to its schema). */
export const outboxSchemaFields = {
  outbox: { type: [Object], default: [] },
  /** Set while the outbox is non-empty: when its oldest entry was written. */
  outboxAt: { type: Date },
  /**
   * 1 while the outbox is non-empty; the sweeper finds stranded events by it. An equality, unlike a range on
   * outboxAt, is answered by FerretDB's backend — a range would make it read every document of the collection.
   */
  outboxPending: { type: Number, index: true },
};

export interface WithOutbox {
  outbox: StoredOutboxEntry[];
  outboxAt?: Date;
  outboxPending?: 1;
}

/** The outbox fields of a document inserted together with its events. */
export function newOutbox(entries: StoredOutboxEntry[]): WithOutbox {
  return entries.length ? { outbox: entries, outboxAt: new Date(), outboxPending: 1 } : { outbox: [] };
}

export function outboxEntry<K extends EventName>(
  type: K,
  data: EventPayloads[K],
  opts: { orgId: string; correlationId?: string },
): OutboxEntry {
  const correlationId = opts.correlationId ?? currentContext()?.correlationId;
  return {
    id: newEventId(),
    type,
    orgId: opts.orgId,
    time: new Date().toISOString(),
    data,
    ...(correlationId ? { correlationId } : {}),
    ...currentTraceContext(),
  };
}

/**
 * `$push`, `$min` and `$max` fragments that put entries in a document's outbox within the caller's update (none
 * of them a `$set`, so the caller's own `$set` stays whole when spread beside them).
 */
export function pushOutbox(entries: StoredOutboxEntry[]): {
  $push: { outbox: { $each: StoredOutboxEntry[] } };
  $min: { outboxAt: Date };
  $max: { outboxPending: 1 };
} {
  return { $push: { outbox: { $each: entries } }, $min: { outboxAt: new Date() }, $max: { outboxPending: 1 } };
}

/** Projection that leaves the outbox fields out of what a repository reads. */
export const OUTBOX_HIDDEN = { outbox: 0, outboxAt: 0, outboxPending: 0 } as const;

const CLEARED = { outboxAt: '', outboxPending: '' } as const;

/**
 * Turns an entry as stored back into the entry to publish — e.g. an entry a service stored in an older format.
 * Registered per model; without one, entries are published as stored.
 */
export type OutboxEntryOpener = (entry: StoredOutboxEntry) => StoredOutboxEntry | OutboxEntry;

export interface OutboxRelayOptions {
  /** How often documents whose fast-path dispatch failed in this process are retried (by id: cheap). */
  sweepIntervalMs: number;
  /**
   * How often the whole outbox index is scanned for entries a crashed process left behind (also once at
   * start). On FerretDB that query is a collection scan, hence its own, slower rhythm.
   */
  fullSweepIntervalMs?: number;
  /** Entries younger than this are left to the fast path that wrote them. */
  graceMs: number;
  batchSize: number;
  /** Where a fault-injection run may stop the process (afterOutboxWrite); none by default. */
  faults?: FaultPoints;
}

/** A clear waiting for the next batch of its collection. */
interface ClearRequest {
  docId: unknown;
  entries: StoredOutboxEntry[];
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Publishes outbox entries with publisher confirms, then removes exactly those entries. The writer calls
 * `dispatch` right after its update (the fast path); the sweeper catches whatever a crash left behind.
 * Either path may publish an entry twice; consumers are idempotent by event id.
 *
 * Clearing needs no lock: each clear is one conditional single-document update (the outbox as published, or a
 * `$pullAll` of exactly those entries), atomic on MongoDB and on the embedded database, so a writer appending at
 * the same moment — in this process or another replica — either lands before it (the exact clear does not
 * match) or after it. Clears requested while a clear of the same collection is in flight wait and go together
 * as one `bulkWrite`: under load one database command clears the outboxes of many writes.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly models: Model<any>[] = [];
  private readonly openers = new Map<Model<any>, OutboxEntryOpener>();
  private readonly retry = new Map<Model<any>, Set<unknown>>();
  private timers: NodeJS.Timeout[] = [];
  private sweeping = false;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly clearQueues = new Map<Model<any>, ClearRequest[]>();
  private readonly clearing = new Set<Model<any>>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly source: string,
    private readonly opts: OutboxRelayOptions,
    private readonly seal?: EventSeal,
  ) {}

  /**
   * The entries as they are to be stored: content events sealed (their JSON encoded once, here), the others
   * as plain JSON data — stored data must equal what goes on the wire, byte for byte (no undefined fields, no
   * class instances), since clearing an outbox compares its entries.
   */
  toStored(entries: OutboxEntry[]): StoredOutboxEntry[] {
    return entries.map((entry) => {
      const { data, ...header } = entry;
      if (!EventSeal.needsSealing(entry.type)) return { ...header, data: JSON.parse(JSON.stringify(data)) as unknown } as StoredOutboxEntry;
      if (!this.seal) throw new Error(`${entry.type} carries content and must be sealed, but this process has no key ring`);
      return { ...header, sealed: this.seal.sealData(entry, data) } as StoredOutboxEntry;
    });
  }

  register(model: Model<any>, open?: OutboxEntryOpener): void {
    if (!this.models.includes(model)) this.models.push(model);
    if (open) this.openers.set(model, open);
  }

  start(): void {
    if (this.timers.length) return;
    const full = this.opts.fullSweepIntervalMs ?? 30_000;
    this.timers = [
      setInterval(() => void this.retryFailed(), this.opts.sweepIntervalMs),
      setInterval(() => void this.sweep(), full),
      setTimeout(() => void this.sweep(), Math.min(full, this.opts.graceMs)),
    ];
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Publish and clear, right after the writer's update; never throws (a failure leaves the entries for the sweeper). */
  async dispatch(model: Model<any>, docId: unknown, entries: StoredOutboxEntry[]): Promise<void> {
    // The worst moment for a crash: the sweeper of the next run must deliver these.
    if (entries.length) (this.opts.faults ?? NO_FAULTS).afterOutboxWrite();
    await this.relay(model, docId, entries);
  }

  private async relay(model: Model<any>, docId: unknown, entries: StoredOutboxEntry[]): Promise<void> {
    if (!entries.length) return;
    try {
      const open = this.openers.get(model);
      for (const entry of entries) await this.publisher.publishEnvelope(this.toEnvelope(open ? open(entry) : entry), entry);
      await this.clearSoon(model, docId, entries);
    } catch (err) {
      this.logger.warn(`outbox dispatch for ${model.collection.name}/${String(docId)} deferred: ${(err as Error).message}`);
      let ids = this.retry.get(model);
      if (!ids) this.retry.set(model, (ids = new Set()));
      ids.add(docId);
    }
  }

  /**
   * The writer's fast path without waiting for it: the write is durable, so the caller can answer at once while
   * the entries are published. Dispatches sharing an `order` key run one after another, in call order — events
   * of one channel reach the broker in the order their writes were made. `drain()` waits for all of them.
   */
  dispatchSoon(model: Model<any>, docId: unknown, entries: StoredOutboxEntry[], order: string): void {
    if (!entries.length) return;
    const previous = this.chains.get(order) ?? Promise.resolve();
    const next = previous.then(() => this.dispatch(model, docId, entries));
    this.chains.set(order, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(order) === next) this.chains.delete(order);
    });
  }

  /** Waits until every dispatch started with `dispatchSoon` has finished (graceful shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /**
   * Documents holding undispatched events, per collection this relay serves (the outbox backlog, sampled for the
   * metrics). Counted on the outboxPending index; at most `cap` per collection, so a large backlog stays cheap to count.
   */
  async backlog(cap = 10_000): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const model of this.models) {
      // serves: outboxPending index (documents holding unpublished events)
      out[model.collection.name] = await model.collection.countDocuments({ outboxPending: 1 }, { limit: cap });
    }
    return out;
  }

  /** Retries the documents whose dispatch failed here (e.g. while the broker was down), by id. */
  async retryFailed(): Promise<void> {
    for (const [model, ids] of this.retry) {
      for (const docId of [...ids]) {
        ids.delete(docId);
        const doc = await model.collection.findOne({ _id: docId as never }, { projection: { outbox: 1 } }).catch(() => null);
        const entries = (doc?.outbox ?? []) as StoredOutboxEntry[];
        if (entries.length) await this.relay(model, docId, entries);
      }
    }
  }

  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let relayed = 0;
    try {
      const cutoff = new Date(Date.now() - this.opts.graceMs);
      for (const model of this.models) {
        // serves: outboxPending index (documents holding unpublished events)
        const docs = await model.collection
          .find({ outboxPending: 1, outboxAt: { $lte: cutoff } }, { projection: { outbox: 1 } })
          .limit(this.opts.batchSize)
          .toArray();
        for (const doc of docs) {
          const entries = (doc.outbox ?? []) as StoredOutboxEntry[];
          if (entries.length) await this.relay(model, doc._id, entries);
          else await model.collection.updateOne({ _id: doc._id, outbox: { $size: 0 } }, { $unset: CLEARED });
          relayed += entries.length;
        }
      }
    } catch (err) {
      this.logger.warn(`outbox sweep failed: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return relayed;
  }

  /** Queues a clear for the next batch of its collection and starts one when none is in flight. */
  private clearSoon(model: Model<any>, docId: unknown, entries: StoredOutboxEntry[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.clearQueues.get(model);
      if (!queue) this.clearQueues.set(model, (queue = []));
      queue.push({ docId, entries, resolve, reject });
      if (!this.clearing.has(model)) void this.flushClears(model);
    });
  }

  /** Clears batch after batch (at most `batchSize` each) until the collection's queue is empty. */
  private async flushClears(model: Model<any>): Promise<void> {
    this.clearing.add(model);
    try {
      for (let queue = this.clearQueues.get(model); queue?.length; queue = this.clearQueues.get(model)) {
        const batch = queue.splice(0, this.opts.batchSize);
        try {
          await this.clearBatch(model, batch);
          for (const r of batch) r.resolve();
        } catch (err) {
          for (const r of batch) r.reject(err as Error);
        }
      }
    } finally {
      this.clearing.delete(model);
    }
  }

  private async clearBatch(model: Model<any>, batch: ClearRequest[]): Promise<void> {
    // Common case, one command: each outbox holds exactly what was just published. Each filter is keyed by _id,
    // so comparing the array touches one document.
    const exact = (r: ClearRequest) => ({ _id: r.docId as never, outbox: r.entries as never });
    const cleared = { $set: { outbox: [] }, $unset: CLEARED };
    const matched =
      batch.length === 1
        ? (await model.collection.updateOne(exact(batch[0]), cleared)).matchedCount
        : (await model.collection.bulkWrite(batch.map((r) => ({ updateOne: { filter: exact(r), update: cleared } })), { ordered: false })).matchedCount;
    if (matched === batch.length) return;
    // Another writer appended to some of them meanwhile: find those (still pending), and remove from each exactly
    // what was published, then drop outboxAt if nothing is left.
    const byId = new Map(batch.map((r) => [String(r.docId), r]));
    const stillPending = await model.collection
      .find({ _id: { $in: batch.map((r) => r.docId) } as never, outboxPending: 1 }, { projection: { _id: 1 } })
      .toArray();
    for (const doc of stillPending) {
      const r = byId.get(String(doc._id));
      if (!r) continue;
      await model.collection.updateOne({ _id: r.docId as never }, { $pullAll: { outbox: r.entries as never } });
      await model.collection.updateOne({ _id: r.docId as never, outbox: { $size: 0 } }, { $unset: CLEARED });
    }
  }

  private toEnvelope(entry: StoredOutboxEntry | OutboxEntry): WireEnvelope {
    const header = {
      id: entry.id,
      type: entry.type,
      source: this.source,
      time: entry.time,
      orgId: entry.orgId,
      ...(entry.correlationId ? { correlationId: entry.correlationId } : {}),
    };
    // A sealed entry goes out as it rests: the relay never sees its plaintext.
    return 'sealed' in entry && entry.sealed ? { ...header, sealed: entry.sealed } : { ...header, data: entry.data };
  }
}
