import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { OUTBOX_HIDDEN, OutboxEntry, OutboxRelay, pushOutbox, StoredOutboxEntry } from '@wellifiy/messaging';
import { casBackoff } from '@wellifiy/persistence';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageDoc } from './message.schema';
import { NewMessage, openMessage } from './messages.repository';

/** What a change may set on a stored message (`body` in plaintext: it is sealed here). */
export type MessageFields = Partial<
  Pick<NewMessage, 'body' | 'replyCount' | 'lastReplyAt' | 'reactions' | 'editedAt' | 'editedBy' | 'deleted' | 'deletedAt' | 'deletedBy'>
>;

export interface MessageChange {
  set: MessageFields;
  /** The events announcing the change, built from the message as it will be stored. */
  events: (next: NewMessage) => OutboxEntry[];
}

/** Returns the change to make, null for "nothing to do", or throws a DomainError to refuse. */
export type MessageMutation = (current: NewMessage) => MessageChange | null | Promise<MessageChange | null>;

export interface ThreadStats {
  count: number;
  lastAt: Date | null;
}

/** In-place changes of stored messages: reactions, thread counters, edits and deletes. */
export abstract class MessageStateRepository {
  abstract findById(orgId: string, channelId: string, messageId: string): Promise<NewMessage | null>;
  /** A message of the organisation, whichever its channel (compliance review by message id). */
  abstract findInOrg(orgId: string, messageId: string): Promise<NewMessage | null>;
  /**
   * Changes one message: state and the events announcing it are written together (outbox), then relayed.
   * Null when the message does not exist in that channel.
   */
  abstract update(orgId: string, channelId: string, messageId: string, mutate: MessageMutation): Promise<NewMessage | null>;
  /** Replies of a thread, ascending by seq, above `after`. */
  abstract listReplies(orgId: string, channelId: string, rootId: string, range: { after?: number; limit: number }): Promise<NewMessage[]>;
  abstract threadStats(orgId: string, channelId: string, rootId: string): Promise<ThreadStats>;
}

const CAS_ATTEMPTS = 50;

@Injectable()
export class MongoMessageStateRepository extends MessageStateRepository {
  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    private readonly relay: OutboxRelay,
    private readonly cipher: MessageCipher,
  ) {
    super();
    relay.register(messages, (entry) => cipher.openLegacyEvent(entry));
  }

  async findById(orgId: string, channelId: string, messageId: string): Promise<NewMessage | null> {
    const doc = await this.messages.findOne({ _id: messageId, orgId, channelId }).select(OUTBOX_HIDDEN).lean<MessageDoc>();
    return doc ? openMessage(this.cipher, doc) : null;
  }

  async findInOrg(orgId: string, messageId: string): Promise<NewMessage | null> {
    // serves: the _id index; the orgId equality keeps another organisation's message out
    const doc = await this.messages.findOne({ _id: messageId, orgId }).select(OUTBOX_HIDDEN).lean<MessageDoc>();
    return doc ? openMessage(this.cipher, doc) : null;
  }

  async update(orgId: string, channelId: string, messageId: string, mutate: MessageMutation): Promise<NewMessage | null> {
    // Version compare-and-set: of concurrent writers (any process) one wins, the others re-read and retry.
    const outcome = await this.writeChange(orgId, channelId, messageId, mutate);
    if (!outcome) return null;
    await this.relay.dispatch(this.messages, messageId, outcome.events);
    return outcome.message;
  }

  private async writeChange(orgId: string, channelId: string, messageId: string, mutate: MessageMutation): Promise<{ message: NewMessage; events: StoredOutboxEntry[] } | null> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.findById(orgId, channelId, messageId);
      if (!current) return null;
      const change = await mutate(current);
      if (!change) return { message: current, events: [] as StoredOutboxEntry[] };
      const version = (current.version ?? 0) + 1;
      const next: NewMessage = { ...current, ...change.set, version };
      const events = this.relay.toStored(change.events(next));
      const $set: Record<string, unknown> = { ...change.set, version };
      if (change.set.body !== undefined) $set.body = await this.cipher.sealBody(messageId, change.set.body, sealingRef(orgId, current.sealedFor));
      const res = await this.messages.collection.updateOne(
        { _id: messageId as never, orgId, channelId, version: current.version ?? { $exists: false } },
        { $set, ...(events.length ? pushOutbox(events) : {}) } as never,
      );
      if (res.matchedCount === 1) return { message: next, events };
      await casBackoff(attempt);
    }
    throw new Error(`message ${messageId} kept changing under us (${CAS_ATTEMPTS} attempts)`);
  }

  async listReplies(orgId: string, channelId: string, rootId: string, { after, limit }: { after?: number; limit: number }): Promise<NewMessage[]> {
    // serves: (channelId, threadId, seq) index
    const docs = await this.messages
      .find({ orgId, channelId, threadId: rootId, ...(after !== undefined ? { seq: { $gt: after } } : {}) })
      .select(OUTBOX_HIDDEN)
      .sort({ seq: 1 })
      .limit(limit)
      .lean<MessageDoc[]>();
    return Promise.all(docs.map((d) => openMessage(this.cipher, d)));
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

}
