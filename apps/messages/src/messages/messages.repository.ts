import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { DocumentLocks, documentKey, newOutbox, OUTBOX_HIDDEN, OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { MessageCipher } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageDoc } from './message.schema';

/** A message as the service sees it: the body in plaintext (the repository encrypts it at rest). */
export type NewMessage = Omit<MessageDoc, 'outbox' | 'outboxAt' | 'outboxPending' | 'body' | 'linkPreview'> & { body: string; linkPreview?: LinkPreview | null };

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
export class MongoMessagesRepository extends MessagesRepository {
  /** Last seq this process stored per channel: saves reading the channel's maximum on every send. */
  private readonly lastSeq = new Map<string, number>();

  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    private readonly relay: OutboxRelay,
    private readonly locks: DocumentLocks,
    private readonly cipher: MessageCipher,
  ) {
    super();
    relay.register(messages, (entry) => cipher.openEvent(entry));
  }

  /*
   * A seq is claimed by inserting the message: the unique (channelId, seq) index lets exactly one insert
   * have each number, on MongoDB and FerretDB alike, so seqs never repeat. Within this process sends to
   * one channel take turns (the lock), and a number is only consumed by a successful insert, so there
   * are no gaps; another replica that took the number first makes us re-read the maximum and try the next.
   */
  async append(draft: MessageDraft, eventsFor: (message: MessageView) => OutboxEntry[]): Promise<MessageView | null> {
    const stored = await this.locks.run(documentKey('messages-seq', draft.channelId), async () => {
      for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
        const seq = (await this.currentSeq(draft.orgId, draft.channelId)) + 1;
        const message: NewMessage = { ...draft, seq };
        const view = toMessageView(message);
        const events = eventsFor(view).map((e) => this.cipher.sealEvent(e));
        try {
          const stored = { ...message, body: this.cipher.sealBody(message._id, message.body), ...newOutbox(events) };
          await this.messages.collection.insertOne(stored as never);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          if (await this.findByClientId(draft.orgId, draft.channelId, draft.senderId, draft.clientMessageId)) return null;
          this.lastSeq.delete(draft.channelId); // another writer took this seq: re-read the maximum
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
    return doc ? toMessageView(this.open(doc), senderId) : null;
  }

  async list(orgId: string, channelId: string, { after, before, limit, rootsOnly, viewerId }: SeqRange): Promise<MessageView[]> {
    const seq: Record<string, number> = {};
    if (after !== undefined) seq.$gt = after;
    if (before !== undefined) seq.$lt = before;
    // serves: (channelId, seq) unique index; roots only: (channelId, threadId, seq)
    const filter = { orgId, channelId, ...(rootsOnly ? { threadId: null } : {}), ...(Object.keys(seq).length ? { seq } : {}) };
    // Without `after`, a page is the newest messages (below `before` if given), returned ascending.
    const newestFirst = after === undefined;
    const docs = await this.messages
      .find(filter)
      .select(OUTBOX_HIDDEN)
      .sort({ seq: newestFirst ? -1 : 1 })
      .limit(limit)
      .lean<MessageDoc[]>();
    if (newestFirst) docs.reverse();
    return docs.map((d) => toMessageView(this.open(d), viewerId));
  }

  private open(doc: MessageDoc): NewMessage {
    return { ...doc, body: this.cipher.openBody(doc._id, doc.body), linkPreview: doc.linkPreview ? this.cipher.openLinkPreview(doc._id, doc.linkPreview) : null };
  }

  private async currentSeq(orgId: string, channelId: string): Promise<number> {
    const known = this.lastSeq.get(channelId);
    if (known !== undefined) return known;
    // serves: (channelId, seq) unique index, walked backwards
    const top = await this.messages.findOne({ channelId, orgId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>();
    return top?.seq ?? 0;
  }

  private remember(channelId: string, seq: number): void {
    if (this.lastSeq.size >= SEQ_HINTS_MAX) this.lastSeq.clear();
    this.lastSeq.set(channelId, seq);
  }
}
