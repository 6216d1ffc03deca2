import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MessageView } from '@wellifiy/contracts';
import { DocumentLocks, documentKey, newOutbox, OUTBOX_HIDDEN, OutboxEntry, OutboxRelay, pushOutbox, StoredOutboxEntry } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { MessageDraft, MessageFields, MessageMapper, OpenedMessage, toMessageView } from './message.mapper';
import { MESSAGE_MODEL, MessageDoc, SEQ_BUCKET, seqBucket } from './message.schema';

export interface SeqRange {
  after?: number;
  before?: number;
  limit: number;
  /** Only thread roots (replies left out). */
  rootsOnly?: boolean;
  /** Whose view: sets `me` on reactions. */
  viewerId?: string;
}

export interface ThreadStats {
  count: number;
  lastAt: Date | null;
}

/** A change decided on `current` (as read), written only if the message is still at that version. */
export interface MessageWrite {
  current: OpenedMessage;
  set: MessageFields;
  /** Built from the message as it will be stored; written by the same update. */
  events: OutboxEntry[];
}

export interface DueQuery {
  orgId: string;
  before: Date;
  /** Channels under a legal hold: never purged. */
  excludedChannels: string[];
  limit: number;
}

export interface PurgeCandidate {
  id: string;
  channelId: string;
  attachments: string[];
}

/**
 * The message aggregate: the one reader and writer of the `messages` collection. Documents are sealed and opened
 * by the MessageMapper; the events a write carries are built by the services and written with it (outbox), then
 * published in write order per channel.
 */
export abstract class MessageStore {
  /**
   * Stores the message under the channel's next seq, together with the events `eventsFor` builds from its view,
   * in one insert. Returns null when its (sender, clientMessageId) was already used.
   */
  abstract append(draft: MessageDraft, eventsFor: (message: MessageView) => OutboxEntry[]): Promise<MessageView | null>;
  abstract findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null>;
  /** Ascending by seq. With `before` (and no `after`) the page is the newest ones below it. */
  abstract list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]>;
  abstract findById(orgId: string, channelId: string, messageId: string): Promise<OpenedMessage | null>;
  /** A message of the organisation, whichever its channel (compliance review, preview jobs). */
  abstract findInOrg(orgId: string, messageId: string): Promise<OpenedMessage | null>;
  /**
   * Writes a change with its events if the message is still at the version it was read at (a compare-and-set);
   * returns the message as stored, or null when another writer changed it first (read again and decide again).
   */
  abstract write(change: MessageWrite): Promise<OpenedMessage | null>;
  /** Replies of a thread, ascending by seq, above `after`. */
  abstract listReplies(orgId: string, channelId: string, rootId: string, range: { after?: number; limit: number }): Promise<OpenedMessage[]>;
  abstract threadStats(orgId: string, channelId: string, rootId: string): Promise<ThreadStats>;
  /** Messages older than `before` whose content is still there. */
  abstract contentDue(q: DueQuery): Promise<PurgeCandidate[]>;
  /** Messages older than `before` that still carry media. */
  abstract mediaDue(q: DueQuery): Promise<PurgeCandidate[]>;
  /** Removes body and link preview, leaving a tombstone (retention); repeatable. */
  abstract purgeContent(orgId: string, messageId: string, at: Date): Promise<void>;
  /** Drops the media of a message, keeping its body (retention); repeatable. */
  abstract purgeMedia(orgId: string, messageId: string, at: Date): Promise<void>;
  /** Ids and seqs of messages stored before timeline buckets existed (the bucket migration), at most `limit`. */
  abstract withoutBucket(limit: number): Promise<{ _id: string; seq: number }[]>;
  abstract setBucket(messageId: string, seq: number): Promise<void>;
}

const SEQ_HINTS_MAX = 100_000;
const APPEND_ATTEMPTS = 50;

@Injectable()
export class MongoMessageStore extends MessageStore {
  /** Last seq this process stored per channel: saves reading the channel's maximum on every send. */
  private readonly lastSeq = new Map<string, number>();

  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    private readonly relay: OutboxRelay,
    private readonly locks: DocumentLocks,
    private readonly mapper: MessageMapper,
  ) {
    super();
    relay.register(messages, (entry) => mapper.openLegacyEvent(entry));
  }

  /*
   * A seq is claimed by inserting the message: the unique (channelId, seq) index lets exactly one insert
   * have each number, on MongoDB and FerretDB alike, so seqs never repeat, and a number is only consumed by
   * a successful insert, so there are no gaps; another writer that took the number first makes us re-read
   * the maximum and try the next. Within this process sends to one channel take turns (the queue), so they
   * do not pay for losing that race to each other.
   */
  async append(draft: MessageDraft, eventsFor: (message: MessageView) => OutboxEntry[]): Promise<MessageView | null> {
    // Sealed before the seq is claimed: the body's context is its id, which does not change between attempts.
    const body = await this.mapper.sealBody(draft);
    const stored = await this.locks.run(documentKey('messages-seq', draft.channelId), async () => {
      for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
        const seq = (await this.currentSeq(draft.orgId, draft.channelId)) + 1;
        const message: OpenedMessage = { ...draft, seq };
        const view = toMessageView(message);
        const events = this.relay.toStored(eventsFor(view));
        try {
          const doc = { ...message, bucket: seqBucket(seq), body, ...newOutbox(events) };
          await this.messages.collection.insertOne(doc as never);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          if (await this.findByClientId(draft.orgId, draft.channelId, draft.senderId, draft.clientMessageId)) return null;
          // Another writer took this seq: read the maximum the authoritative way (a sort; rare), which also
          // covers messages not yet given a bucket.
          this.remember(draft.channelId, await this.maxSeqBySort(draft.channelId));
          continue;
        }
        this.remember(draft.channelId, seq);
        return { view, events };
      }
      throw new Error(`could not claim a seq in channel ${draft.channelId} after ${APPEND_ATTEMPTS} attempts`);
    });
    if (!stored) return null;
    // The message and its event are stored together: the sender's answer need not wait for the broker.
    this.dispatch(draft.channelId, stored.view.id, stored.events);
    return stored.view;
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const doc = await this.messages
      .findOne({ channelId, senderId, clientMessageId, orgId })
      .select(OUTBOX_HIDDEN)
      .lean<MessageDoc>();
    return doc ? toMessageView(await this.mapper.open(doc), senderId) : null;
  }

  /*
   * The timeline is read bucket by bucket (SEQ_BUCKET seqs each, found by equality on (channelId, bucket)): FerretDB
   * would evaluate a seq range or a sort on seq itself, over every message of the channel — 300 ms at 5,000
   * messages. Seqs have no gaps, so walking up stops at the first empty or partly filled bucket, and the buckets a
   * page of `limit` seqs spans are known before reading: they are read together, not one after the other.
   */
  async list(orgId: string, channelId: string, { after, before, limit, rootsOnly, viewerId }: SeqRange): Promise<MessageView[]> {
    const wanted = (d: MessageDoc): boolean =>
      (after === undefined || d.seq > after) && (before === undefined || d.seq < before) && (!rootsOnly || d.threadId === null);
    const found: MessageDoc[] = [];
    const read = (buckets: number[]): Promise<MessageDoc[][]> => Promise.all(buckets.map((b) => this.bucket(orgId, channelId, b)));
    if (after !== undefined) {
      // Oldest first from after+1: first the buckets of after+1 … after+limit, then (roots only) one at a time.
      let next = seqBucket(after + 1);
      let span = seqBucket(after + limit) - next + 1;
      walk: while (found.length < limit) {
        const buckets = bucketRange(next, span).filter((b) => before === undefined || b * SEQ_BUCKET < before);
        if (!buckets.length) break;
        const pages = await read(buckets);
        for (const [i, docs] of pages.entries()) {
          found.push(...docs.filter(wanted));
          if (!docs.length || docs[docs.length - 1].seq < (buckets[i] + 1) * SEQ_BUCKET - 1) break walk;
        }
        next += span;
        span = 1;
      }
      found.splice(limit);
    } else {
      // The newest below `before` (or of all): the top bucket, then the buckets below it that the rest of the page
      // spans, together (then, roots only, one at a time).
      const topBucket = await this.topBucket(orgId, channelId);
      let next = before !== undefined ? Math.min(seqBucket(Math.max(0, before - 1)), topBucket) : topBucket;
      let span = 1;
      while (next >= 0 && found.length < limit) {
        const buckets = bucketRange(next - span + 1, span).filter((b) => b >= 0);
        const pages = await read(buckets);
        for (let i = pages.length - 1; i >= 0; i--) found.unshift(...pages[i].filter(wanted));
        const top = pages[pages.length - 1];
        if (buckets[buckets.length - 1] === topBucket && top.length) this.rememberAtLeast(channelId, top[top.length - 1].seq);
        next -= span;
        span = Math.max(1, Math.ceil((limit - found.length) / SEQ_BUCKET));
      }
      found.splice(0, Math.max(0, found.length - limit));
    }
    return Promise.all(found.map(async (d) => toMessageView(await this.mapper.open(d), viewerId)));
  }

  async findById(orgId: string, channelId: string, messageId: string): Promise<OpenedMessage | null> {
    const doc = await this.messages.findOne({ _id: messageId, orgId, channelId }).select(OUTBOX_HIDDEN).lean<MessageDoc>();
    return doc ? this.mapper.open(doc) : null;
  }

  async findInOrg(orgId: string, messageId: string): Promise<OpenedMessage | null> {
    // serves: the _id index; the orgId equality keeps another organisation's message out
    const doc = await this.messages.findOne({ _id: messageId, orgId }).select(OUTBOX_HIDDEN).lean<MessageDoc>();
    return doc ? this.mapper.open(doc) : null;
  }

  async write({ current, set, events }: MessageWrite): Promise<OpenedMessage | null> {
    const version = (current.version ?? 0) + 1;
    const stored = this.relay.toStored(events);
    const res = await this.messages.collection.updateOne(
      { _id: current._id as never, orgId: current.orgId, channelId: current.channelId, version: current.version ?? { $exists: false } },
      { $set: { ...(await this.mapper.toSet(current, set)), version }, ...(stored.length ? pushOutbox(stored) : {}) } as never,
    );
    if (res.matchedCount !== 1) return null;
    this.dispatch(current.channelId, current._id, stored);
    return { ...current, ...set, version };
  }

  async listReplies(orgId: string, channelId: string, rootId: string, { after, limit }: { after?: number; limit: number }): Promise<OpenedMessage[]> {
    // serves: (channelId, threadId, seq) index
    const docs = await this.messages
      .find({ orgId, channelId, threadId: rootId, ...(after !== undefined ? { seq: { $gt: after } } : {}) })
      .select(OUTBOX_HIDDEN)
      .sort({ seq: 1 })
      .limit(limit)
      .lean<MessageDoc[]>();
    return Promise.all(docs.map((d) => this.mapper.open(d)));
  }

  async threadStats(orgId: string, channelId: string, rootId: string): Promise<ThreadStats> {
    // serves: (channelId, threadId, seq) index, for the count and the newest reply
    const filter = { orgId, channelId, threadId: rootId };
    const [count, newest] = await Promise.all([
      this.messages.countDocuments(filter),
      this.messages.findOne(filter).sort({ seq: -1 }).select({ createdAt: 1 }).lean<{ createdAt: Date }>(),
    ]);
    return { count, lastAt: newest?.createdAt ?? null };
  }

  async contentDue({ orgId, before, excludedChannels, limit }: DueQuery): Promise<PurgeCandidate[]> {
    // serves: { orgId, createdAt } index; purged messages carry purgedAt and drop out, so the next batch starts afresh
    return this.due({ orgId, createdAt: { $lt: before }, purgedAt: { $exists: false }, ...notIn(excludedChannels) }, limit);
  }

  async mediaDue({ orgId, before, excludedChannels, limit }: DueQuery): Promise<PurgeCandidate[]> {
    // serves: { orgId, createdAt } index. `attachments` is only ever set non-empty, and unset when purged.
    return this.due({ orgId, createdAt: { $lt: before }, attachments: { $exists: true }, mediaPurgedAt: { $exists: false }, ...notIn(excludedChannels) }, limit);
  }

  async purgeContent(orgId: string, messageId: string, at: Date): Promise<void> {
    // The version bump makes a concurrent edit (any process) lose its compare-and-set, re-read, and find a tombstone.
    await this.messages.collection.updateOne(
      { _id: messageId as never, orgId, purgedAt: { $exists: false } },
      {
        $set: { body: null, linkPreview: null, deleted: true, deletedAt: at, deletedBy: 'retention', purgedAt: at, mediaPurgedAt: at },
        $unset: { attachments: '' },
        $inc: { version: 1 },
      },
    );
  }

  async purgeMedia(orgId: string, messageId: string, at: Date): Promise<void> {
    await this.messages.collection.updateOne(
      { _id: messageId as never, orgId, mediaPurgedAt: { $exists: false } },
      { $set: { mediaPurgedAt: at }, $unset: { attachments: '' }, $inc: { version: 1 } },
    );
  }

  async withoutBucket(limit: number): Promise<{ _id: string; seq: number }[]> {
    const docs = await this.messages.collection.find({ bucket: { $exists: false } }, { projection: { seq: 1 } }).limit(limit).toArray();
    return docs.map((d) => ({ _id: d._id as unknown as string, seq: d.seq as number }));
  }

  async setBucket(messageId: string, seq: number): Promise<void> {
    await this.messages.collection.updateOne({ _id: messageId as never, bucket: { $exists: false } }, { $set: { bucket: seqBucket(seq) } });
  }

  /** Every write's events go out in write order per channel (message.created before the edit of that message). */
  private dispatch(channelId: string, messageId: string, events: StoredOutboxEntry[]): void {
    this.relay.dispatchSoon(this.messages, messageId, events, channelId);
  }

  private async due(filter: Record<string, unknown>, limit: number): Promise<PurgeCandidate[]> {
    const docs = await this.messages.find(filter).select({ channelId: 1, attachments: 1 }).limit(limit).lean<Pick<MessageDoc, '_id' | 'channelId' | 'attachments'>[]>();
    return docs.map((d) => ({ id: d._id, channelId: d.channelId, attachments: d.attachments ?? [] }));
  }

  /** One bucket of the channel's timeline, ascending by seq. */
  private async bucket(orgId: string, channelId: string, bucket: number): Promise<MessageDoc[]> {
    // serves: (channelId, bucket) index
    const docs = await this.messages.find({ channelId, bucket, orgId }).select(OUTBOX_HIDDEN).lean<MessageDoc[]>();
    return docs.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The channel's highest non-empty bucket (-1 when it has no messages), found by doubling and then halving (a few
   * equality lookups, starting from the bucket of what this process last stored or read as the top).
   */
  private async topBucket(orgId: string, channelId: string): Promise<number> {
    const exists = async (b: number): Promise<boolean> =>
      // serves: (channelId, bucket) index
      (await this.messages.exists({ channelId, bucket: b, orgId })) !== null;
    let low = seqBucket(this.lastSeq.get(channelId) ?? 0);
    if (!(await exists(low))) {
      if (low === 0) return -1;
      low = 0; // the hint is ahead of the database (it never is for this process's own writes): start over
      if (!(await exists(0))) return -1;
    }
    let high = low + 1;
    while (await exists(high)) {
      low = high;
      high = low * 2 + 1;
    }
    // low holds messages, high does not: halve the gap.
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await exists(mid)) low = mid;
      else high = mid;
    }
    return low;
  }

  /** The channel's highest seq, read from the database: the maximum of its highest non-empty bucket. */
  private async topSeq(orgId: string, channelId: string): Promise<number> {
    const low = await this.topBucket(orgId, channelId);
    if (low < 0) return 0;
    const docs = await this.messages.find({ channelId, bucket: low, orgId }).select({ seq: 1 }).lean<{ seq: number }[]>();
    return docs.reduce((max, d) => Math.max(max, d.seq), 0);
  }

  private async currentSeq(orgId: string, channelId: string): Promise<number> {
    const known = this.lastSeq.get(channelId);
    if (known !== undefined) return known;
    return this.topSeq(orgId, channelId);
  }

  private async maxSeqBySort(channelId: string): Promise<number> {
    // serves: (channelId, seq) unique index, walked backwards (FerretDB sorts the channel's messages itself);
    // no orgId: the seq is unique per channel id, whoever holds it
    const top = await this.messages.findOne({ channelId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>();
    return top?.seq ?? 0;
  }

  private remember(channelId: string, seq: number): void {
    if (this.lastSeq.size >= SEQ_HINTS_MAX) this.lastSeq.clear();
    this.lastSeq.set(channelId, seq);
  }

  /** A top seq seen by a read: the next read's bucket lookups start there (and a send claims after it). */
  private rememberAtLeast(channelId: string, seq: number): void {
    if ((this.lastSeq.get(channelId) ?? 0) < seq) this.remember(channelId, seq);
  }
}

/** `count` consecutive bucket numbers from `first`. */
const bucketRange = (first: number, count: number): number[] => Array.from({ length: count }, (_v, i) => first + i);

const notIn = (channels: string[]): Record<string, unknown> => (channels.length ? { channelId: { $nin: channels } } : {});
