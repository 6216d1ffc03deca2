import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MessageView } from '@wellifiy/contracts';
import { OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { CHANNEL_COUNTER_MODEL, ChannelCounterDoc, MESSAGE_MODEL, MessageDoc } from './message.schema';

export type NewMessage = Omit<MessageDoc, 'outbox' | 'outboxAt'>;

export interface SeqRange {
  after?: number;
  before?: number;
  limit: number;
}

export abstract class MessagesRepository {
  abstract nextSeq(channelId: string): Promise<number>;
  /** Inserts the message and its events in one write; null if its clientMessageId was already used. */
  abstract insert(message: NewMessage, events: OutboxEntry[]): Promise<MessageView | null>;
  abstract findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null>;
  /** Ascending by seq. With `before` (and no `after`) the page is the newest ones below it. */
  abstract list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]>;
}

export function toMessageView(d: NewMessage): MessageView {
  return {
    id: d._id,
    channelId: d.channelId,
    seq: d.seq,
    senderId: d.senderId,
    senderKind: d.senderKind,
    clientMessageId: d.clientMessageId,
    body: d.body,
    threadId: d.threadId,
    createdAt: d.createdAt.toISOString(),
  };
}

@Injectable()
export class MongoMessagesRepository extends MessagesRepository {
  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    @InjectModel(CHANNEL_COUNTER_MODEL) private readonly counters: Model<ChannelCounterDoc>,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(messages);
  }

  async nextSeq(channelId: string): Promise<number> {
    const doc = await this.counters
      .findOneAndUpdate({ _id: channelId }, { $inc: { lastSeq: 1 } }, { upsert: true, new: true })
      .lean<ChannelCounterDoc>();
    if (!doc) throw new Error(`sequence counter for ${channelId} missing after upsert`);
    return doc.lastSeq;
  }

  async insert(message: NewMessage, events: OutboxEntry[]): Promise<MessageView | null> {
    try {
      await this.messages.collection.insertOne({ ...message, outbox: events, outboxAt: new Date() } as never);
    } catch (err) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
    await this.relay.dispatch(this.messages, message._id, events);
    return toMessageView(message);
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const doc = await this.messages
      .findOne({ channelId, senderId, clientMessageId, orgId })
      .select({ outbox: 0, outboxAt: 0 })
      .lean<NewMessage>();
    return doc ? toMessageView(doc) : null;
  }

  async list(orgId: string, channelId: string, { after, before, limit }: SeqRange): Promise<MessageView[]> {
    const seq: Record<string, number> = {};
    if (after !== undefined) seq.$gt = after;
    if (before !== undefined) seq.$lt = before;
    const filter = { orgId, channelId, ...(Object.keys(seq).length ? { seq } : {}) };
    // Without `after`, a page is the newest messages (below `before` if given), returned ascending.
    const newestFirst = after === undefined;
    const docs = await this.messages
      .find(filter)
      .select({ outbox: 0, outboxAt: 0 })
      .sort({ seq: newestFirst ? -1 : 1 })
      .limit(limit)
      .lean<NewMessage[]>();
    if (newestFirst) docs.reverse();
    return docs.map(toMessageView);
  }
}
