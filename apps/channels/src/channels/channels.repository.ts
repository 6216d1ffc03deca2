import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ChannelType } from '@wellifiy/contracts';
import { newOutbox, OUTBOX_HIDDEN, OutboxEntry, OutboxRelay, pushOutbox, StoredOutboxEntry } from '@wellifiy/messaging';
import { KeyRing, RecordCipher } from '@wellifiy/crypto';
import { casBackoff, isDuplicateKeyError } from '@wellifiy/persistence';
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
  /**
   * Changes one channel: `mutate` gets the current state and returns the next one with the events that
   * announce it (or null for "nothing to do"; it may throw a DomainError to refuse). State and events are
   * written together; the events are then relayed. Null when the channel does not exist.
   */
  abstract update(orgId: string, channelId: string, mutate: ChannelMutation): Promise<Channel | null>;
  /** Up to `limit` channels the user belongs to, oldest first (batches for the archived-member fallback). */
  abstract pageWithMember(orgId: string, userId: string, limit: number): Promise<Channel[]>;
  abstract listNeedingStaff(orgId: string): Promise<Channel[]>;
  /** Every channel linked to the patient (care_team, service_team, staff), members or not (the patient's chart export). */
  abstract listLinkedToPatient(orgId: string, patientId: string): Promise<Channel[]>;
}

export type ChannelMutation = (current: Channel) => { next: Channel; events: OutboxEntry[] } | null;

const CAS_ATTEMPTS = 50;

@Injectable()
export class MongoChannelsRepository extends ChannelsRepository {
  private readonly cipher: RecordCipher;

  constructor(
    @InjectModel(CHANNEL_MODEL) private readonly channels: Model<ChannelDoc>,
    private readonly relay: OutboxRelay,
    ring: KeyRing,
  ) {
    super();
    relay.register(channels);
    this.cipher = new RecordCipher(ring, 'channel');
  }

  private open(doc: ChannelDoc): Channel {
    return toChannel(doc, this.cipher.open(doc._id, 'name', doc.name));
  }

  async insert(channel: Channel, entries: OutboxEntry[]): Promise<Channel | null> {
    const events = this.relay.toStored(entries);
    try {
      await this.channels.collection.insertOne({ ...channel, name: this.cipher.seal(channel._id, 'name', channel.name), ...newOutbox(events) } as never);
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
      .select(OUTBOX_HIDDEN)
      .sort({ updatedAt: -1 })
      .lean<ChannelDoc[]>();
    return docs.map((d) => this.open(d));
  }

  async listIdsForMember(orgId: string, userId: string): Promise<string[]> {
    const docs = await this.channels.find({ orgId, memberIds: userId }).select({ _id: 1 }).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  async update(orgId: string, channelId: string, mutate: ChannelMutation): Promise<Channel | null> {
    // Version compare-and-set: of concurrent writers (any process) one wins, the others re-read and retry.
    const outcome = await this.writeChange(orgId, channelId, mutate);
    if (!outcome) return null;
    await this.relay.dispatch(this.channels, channelId, outcome.events);
    return outcome.channel;
  }

  private async writeChange(orgId: string, channelId: string, mutate: ChannelMutation): Promise<{ channel: Channel; events: StoredOutboxEntry[] } | null> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.findById(orgId, channelId);
      if (!current) return null;
      const change = mutate(current);
      if (!change) return { channel: current, events: [] as StoredOutboxEntry[] };
      const { next } = change;
      const events = this.relay.toStored(change.events);
      const res = await this.channels.collection.updateOne(
        { _id: channelId as never, orgId, version: current.version },
        {
          $set: {
            name: this.cipher.seal(channelId, 'name', next.name),
            uniqueKey: next.uniqueKey,
            members: next.members,
            memberIds: next.memberIds,
            archivedBy: next.archivedBy,
            needsStaffing: next.needsStaffing,
            updatedAt: next.updatedAt,
            version: next.version,
          },
          ...(events.length ? pushOutbox(events) : {}),
        } as never,
      );
      if (res.matchedCount === 1) return { channel: next, events };
      await casBackoff(attempt);
    }
    throw new Error(`channel ${channelId} kept changing under us (${CAS_ATTEMPTS} attempts)`);
  }

  async pageWithMember(orgId: string, userId: string, limit: number): Promise<Channel[]> {
    const docs = await this.channels
      .find({ orgId, memberIds: userId })
      .select(OUTBOX_HIDDEN)
      .sort({ _id: 1 })
      .limit(limit)
      .lean<ChannelDoc[]>();
    return docs.map((d) => this.open(d));
  }

  async listNeedingStaff(orgId: string): Promise<Channel[]> {
    // serves: { orgId, needsStaffing } index
    const docs = await this.channels.find({ orgId, needsStaffing: true }).select(OUTBOX_HIDDEN).sort({ updatedAt: -1 }).lean<ChannelDoc[]>();
    return docs.map((d) => this.open(d));
  }

  async listLinkedToPatient(orgId: string, patientId: string): Promise<Channel[]> {
    // serves: { orgId, patientId } index
    const docs = await this.channels.find({ orgId, patientId }).select(OUTBOX_HIDDEN).sort({ createdAt: 1, _id: 1 }).lean<ChannelDoc[]>();
    return docs.map((d) => this.open(d));
  }

  private async one(filter: Record<string, unknown>): Promise<Channel | null> {
    const doc = await this.channels.findOne(filter).select(OUTBOX_HIDDEN).lean<ChannelDoc>();
    return doc ? this.open(doc) : null;
  }
}
