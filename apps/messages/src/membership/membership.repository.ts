import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ChannelSnapshot, ChannelType, UserKind } from '@wellifiy/contracts';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionDoc } from './membership.schema';

export interface ChannelMembership {
  id: string;
  orgId: string;
  type: ChannelType;
  /** null also for channels projected before the field existed (until their next change). */
  patientId: string | null;
  members: { userId: string; kind: UserKind }[];
  version: number;
}

export abstract class MembershipRepository {
  abstract find(orgId: string, channelId: string): Promise<ChannelMembership | null>;
  /** Applies a snapshot unless a newer version is already stored (events may arrive out of order). */
  abstract apply(orgId: string, snapshot: ChannelSnapshot): Promise<void>;
  /** Whether some channel of the organisation, of a type not in `excludedTypes`, has both users as members. */
  abstract shareAChannel(orgId: string, userIds: [string, string], excludedTypes: readonly ChannelType[]): Promise<boolean>;
  /** Ids of the patient's channels: linked to them, or with them as a member (groups). */
  abstract channelsOfPatient(orgId: string, patientId: string): Promise<string[]>;
}

@Injectable()
export class MongoMembershipRepository extends MembershipRepository {
  constructor(
    @InjectModel(CHANNEL_PROJECTION_MODEL) private readonly channels: Model<ChannelProjectionDoc>,
  ) {
    super();
  }

  async find(orgId: string, channelId: string): Promise<ChannelMembership | null> {
    const doc = await this.channels.findOne({ _id: channelId, orgId }).lean<ChannelProjectionDoc>();
    return doc ? { id: doc._id, orgId: doc.orgId, type: doc.type, patientId: doc.patientId ?? null, members: doc.members, version: doc.version } : null;
  }

  async shareAChannel(orgId: string, [a, b]: [string, string], excludedTypes: readonly ChannelType[]): Promise<boolean> {
    // serves: { orgId, memberIds } index
    const doc = await this.channels
      .findOne({ orgId, $and: [{ memberIds: a }, { memberIds: b }], ...(excludedTypes.length ? { type: { $nin: [...excludedTypes] } } : {}) }, { _id: 1 })
      .lean<{ _id: string }>();
    return doc !== null;
  }

  async channelsOfPatient(orgId: string, patientId: string): Promise<string[]> {
    // serves: { orgId, patientId } and { orgId, memberIds } indexes (two equality lookups, not an $or)
    const [linked, member] = await Promise.all([
      this.channels.find({ orgId, patientId }, { _id: 1 }).lean<{ _id: string }[]>(),
      this.channels.find({ orgId, memberIds: patientId }, { _id: 1 }).lean<{ _id: string }[]>(),
    ]);
    return [...new Set([...linked, ...member].map((d) => d._id))];
  }

  /** One conditional upsert (older versions only): concurrent events for one channel, from any process, keep the newest. */
  async apply(orgId: string, s: ChannelSnapshot): Promise<void> {
    const members = s.members.map((m) => ({ userId: m.userId, kind: m.kind }));
    try {
      await this.channels.updateOne(
        { _id: s.id, version: { $lt: s.version } },
        { $set: { orgId, type: s.type, patientId: s.patientId ?? null, members, memberIds: members.map((m) => m.userId), version: s.version } },
        { upsert: true },
      );
    } catch (err) {
      // The upsert collided with the stored document: it holds this version or a newer one.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}
