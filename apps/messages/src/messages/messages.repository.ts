import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { DocumentLocks, documentKey, newOutbox, OUTBOX_HIDDEN, OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageDoc, SEQ_BUCKET, seqBucket } from './message.schema';

/** A message as the service sees it: the body in plaintext (the repository encrypts it at rest). */
export type NewMessage = Omit<MessageDoc, 'outbox' | 'outboxAt' | 'outboxPending' | 'body' | 'linkPreview'> & { body: string; linkPreview?: LinkPreview | null };

/**
 * A stored message opened for the service. Content whose patient key was erased reads as a tombstone
 * (`deleted`, `deletedBy: 'erasure'`, empty body): never an error.
 */
export async function openMessage(cipher: MessageCipher, doc: MessageDoc): Promise<NewMessage> {
  const { body, linkPreview, erased } = await cipher.openContent(doc);
  return { ...doc, body, linkPreview, ...(erased ? { deleted: true, deletedBy: 'erasure' as const, attachments: [] } : {}) };
}

export interface SeqRange {
  after?: number;
  before?: number;
  limit: number;
  /** Only thread roots (replies left out). */
  rootsOnly?: boolean;
  /** Whose view: sets `me` on reactions. */
  viewerId?: string;
}

export abstract class MessagesRepository {
  /**
   * Stores the message under the channel's next seq, together with the events `eventsFor` builds for it,
   * in one insert. Returns null when its (sender, clientMessageId) was already used.
   */
  abstract append(draft: MessageDraft, eventsFor: (message: MessageView) => OutboxEntry[]): Promise<MessageView | null>;
  abstract findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null>;
  /** Ascending by seq. With `before` (and no `after`) the page is the newest ones below it. */
  abstract list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]>;
}

export type MessageDraft = Omit<NewMessage, 'seq'>;

/** The message as clients see it; with `viewerId`, reactions say whether that viewer reacted (`me`). */
export function toMessageView(d: NewMessage, viewerId?: string): MessageView {
  return {
    id: d._id,
    channelId: d.channelId,
    seq: d.seq,
    senderId: d.senderId,
    senderKind: d.senderKind,
    clientMessageId: d.clientMessageId,
    body: d.deleted ? '' : d.body,
    threadId: d.threadId,
    createdAt: d.createdAt.toISOString(),
    ...(d.replyCount ? { replyCount: d.replyCount, lastReplyAt: d.lastReplyAt ? d.lastReplyAt.toISOString() : null } : {}),
    ...(d.reactions?.length ? { reactions: d.reactions.map((r) => ({ emoji: r.emoji, count: r.userIds.length, ...(viewerId ? { me: r.userIds.includes(viewerId) } : {}) })) } : {}),
    ...(d.editedAt ? { editedAt: d.editedAt.toISOString(), editedBy: d.editedBy ?? 'author' } : {}),
    ...(d.deleted ? { deleted: true, deletedBy: d.deletedBy ?? 'author' } : {}),
    // A tombstone withholds everything the sender posted: the body, its media and the preview of its link.
    ...(d.attachments?.length && !d.deleted ? { attachments: d.attachments } : {}),
    ...(d.linkPreview && !d.deleted ? { linkPreview: d.linkPreview } : {}),
  };
}

const SEQ_HINTS_MAX = 100_000;
const APPEND_ATTEMPTS = 50;

@Injectable()
export class MongoMessagesRepository extends MessagesRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger('MessagesRepository');
  /** Last seq this process stored per channel: saves reading the channel's maximum on every send. */
  private readonly lastSeq = new Map<string, number>();

  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    private readonly relay: OutboxRelay,
    private readonly locks: DocumentLocks,
    private readonly cipher: MessageCipher,
  ) {
    super();
    relay.register(messages, (entry) => cipher.openLegacyEvent(entry));
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
    const body = await this.cipher.sealBody(draft._id, draft.body, sealingRef(draft.orgId, draft.sealedFor));
    const stored = await this.locks.run(documentKey('messages-seq', draft.channelId), async () => {
      for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
        const seq = (await this.currentSeq(draft.orgId, draft.channelId)) + 1;
        const message: NewMessage = { ...draft, seq };
        const view = toMessageView(message);
        const events = this.relay.toStored(eventsFor(view));
        try {
          const stored = { ...message, bucket: seqBucket(seq), body, ...newOutbox(events) };
          await this.messages.collection.insertOne(stored as never);
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
    this.relay.dispatchSoon(this.messages, stored.view.id, stored.events, draft.channelId);
    return stored.view;
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const doc = await this.messages
      .findOne({ channelId, senderId, clientMessageId, orgId })
      .select(OUTBOX_HIDDEN)
      .lean<MessageDoc>();
    return doc ? toMessageView(await openMessage(this.cipher, doc), senderId) : null;
  }

  /*
   * The timeline is read bucket by bucket (SEQ_BUCKET seqs each, found by equality on (channelId, bucket)): FerretDB
   * would evaluate a seq range or a sort on seq itself, over every message of the channel — 300 ms at 5,000
   * messages. Seqs have no gaps, so walking up stops at the first empty or partly filled bucket.
   */
  async list(orgId: string, channelId: string, { after, before, limit, rootsOnly, viewerId }: SeqRange): Promise<MessageView[]> {
    const wanted = (d: MessageDoc): boolean =>
      (after === undefined || d.seq > after) && (before === undefined || d.seq < before) && (!rootsOnly || d.threadId === null);
    const found: MessageDoc[] = [];
    if (after !== undefined) {
      // Oldest first from after+1.
      for (let b = seqBucket(after + 1); found.length < limit; b++) {
        if (before !== undefined && b * SEQ_BUCKET >= before) break;
        const docs = await this.bucket(orgId, channelId, b);
        found.push(...docs.filter(wanted));
        if (!docs.length || docs[docs.length - 1].seq < (b + 1) * SEQ_BUCKET - 1) break;
      }
      found.splice(limit);
    } else {
      // The newest below `before` (or of all): from the top bucket down.
      const top = Math.min(before !== undefined ? before - 1 : Infinity, await this.topSeq(orgId, channelId));
      for (let b = seqBucket(top); b >= 0 && found.length < limit; b--) {
        const docs = await this.bucket(orgId, channelId, b);
        found.unshift(...docs.filter(wanted));
      }
      found.splice(0, Math.max(0, found.length - limit));
    }
    return Promise.all(found.map(async (d) => toMessageView(await openMessage(this.cipher, d), viewerId)));
  }

  onApplicationBootstrap(): void {
    void this.backfillBuckets().then(
      (n) => n && this.logger.log(`gave ${n} message(s) their timeline bucket`),
      (err: unknown) => this.logger.warn(`timeline bucket backfill failed (retried at the next start): ${(err as Error).message}`),
    );
  }

  /**
   * Gives messages stored before timeline buckets existed their bucket; once (a marker in `migrations` says it
   * ran). Returns how many it changed. Started in the background at boot.
   */
  async backfillBuckets(): Promise<number> {
    const migrations = this.messages.db.collection<{ _id: string; at: Date; changed: number }>('migrations');
    if (await migrations.findOne({ _id: 'messages.bucket' })) return 0;
    let changed = 0;
    for (;;) {
      const docs = await this.messages.collection.find({ bucket: { $exists: false } }, { projection: { seq: 1 } }).limit(500).toArray();
      if (!docs.length) break;
      for (const d of docs) {
        await this.messages.collection.updateOne({ _id: d._id, bucket: { $exists: false } }, { $set: { bucket: seqBucket(d.seq as number) } });
      }
      changed += docs.length;
    }
    await migrations.updateOne({ _id: 'messages.bucket' }, { $set: { at: new Date(), changed } }, { upsert: true });
    return changed;
  }

  /** One bucket of the channel's timeline, ascending by seq. */
  private async bucket(orgId: string, channelId: string, bucket: number): Promise<MessageDoc[]> {
    // serves: (channelId, bucket) index
    const docs = await this.messages.find({ channelId, bucket, orgId }).select(OUTBOX_HIDDEN).lean<MessageDoc[]>();
    return docs.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The channel's highest seq, read from the database: the highest non-empty bucket is found by doubling and
   * then halving (a few equality lookups, starting from what this process last stored), then its maximum.
   */
  private async topSeq(orgId: string, channelId: string): Promise<number> {
    const exists = async (b: number): Promise<boolean> =>
      // serves: (channelId, bucket) index
      (await this.messages.exists({ channelId, bucket: b, orgId })) !== null;
    let low = seqBucket(this.lastSeq.get(channelId) ?? 0);
    if (!(await exists(low))) {
      if (low === 0) return 0;
      low = 0; // the hint is ahead of the database (it never is for this process's own writes): start over
      if (!(await exists(0))) return 0;
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
}
