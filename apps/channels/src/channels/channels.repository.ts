import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ChannelType } from '@wellifiy/contracts';
import { OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { Channel, toChannel } from './channel.mapper';
import { CHANNEL_MODEL, ChannelDoc } from './channel.schema';

export interface ChannelFilter {
  type?: ChannelType;
  patientId?: string;
}

export abstract class ChannelsRepository {
  /** Inserts the channel with its events in one write; null when its uniqueKey is taken. */
  abstract insert(channel: Channel, events: OutboxEntry[]): Promise<Channel | null>;
  abstract findByUniqueKey(orgId: string, uniqueKey: string): Promise<Channel | null>;
  abstract findForMember(orgId: string, channelId: string, userId: string): Promise<Channel | null>;
  abstract findById(orgId: string, channelId: string): Promise<Channel | null>;
  abstract listForMember(orgId: string, userId: string, filter: ChannelFilter): Promise<Channel[]>;
  abstract listIdsForMember(orgId: string, userId: string): Promise<string[]>;
}

@Injectable()
export class MongoChannelsRepository extends ChannelsRepository {
  constructor(
    @InjectModel(CHANNEL_MODEL) private readonly channels: Model<ChannelDoc>,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(channels);
  }

  async insert(channel: Channel, events: OutboxEntry[]): Promise<Channel | null> {
    try {
      await this.channels.collection.insertOne({ ...channel, outbox: events, outboxAt: new Date() } as never);
    } catch (err) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
    await this.relay.dispatch(this.channels, channel._id, events);
    return channel;
  }

  async findByUniqueKey(orgId: string, uniqueKey: string): Promise<Channel | null> {
    return this.one({ orgId, uniqueKey });
  }

  async findForMember(orgId: string, channelId: string, userId: string): Promise<Channel | null> {
    return this.one({ _id: channelId, orgId, memberIds: userId });
  }

  async findById(orgId: string, channelId: string): Promise<Channel | null> {
    return this.one({ _id: channelId, orgId });
  }

  async listForMember(orgId: string, userId: string, filter: ChannelFilter): Promise<Channel[]> {
    const docs = await this.channels
      .find({ orgId, memberIds: userId, ...(filter.type ? { type: filter.type } : {}), ...(filter.patientId ? { patientId: filter.patientId } : {}) })
      .select({ outbox: 0, outboxAt: 0 })
      .sort({ updatedAt: -1 })
      .lean<ChannelDoc[]>();
    return docs.map(toChannel);
  }

  async listIdsForMember(orgId: string, userId: string): Promise<string[]> {
    const docs = await this.channels.find({ orgId, memberIds: userId }).select({ _id: 1 }).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  private async one(filter: Record<string, unknown>): Promise<Channel | null> {
    const doc = await this.channels.findOne(filter).select({ outbox: 0, outboxAt: 0 }).lean<ChannelDoc>();
    return doc ? toChannel(doc) : null;
  }
}
