import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ChannelSnapshot, ChannelType, UserKind } from '@wellifiy/contracts';
import { findInChunks, isDuplicateKeyError, oneOrIn } from '@wellifiy/persistence';
import { CHANNEL_STATE_MODEL, ChannelStateDoc, senderField, senderOfField } from './channel-state.schema';
import { READ_STATE_MODEL, ReadStateDoc, readStateId } from './read-state.schema';
import { ChannelCounter, SentMarker } from './unread';

export interface ChannelState extends ChannelCounter {
  orgId: string;
  version: number;
  members: { userId: string; kind: UserKind }[];
}

export interface ReadState {
  orgId: string;
  channelId: string;
  userId: string;
  kind: UserKind;
  member: boolean;
  readSeq: number;
  readAt: Date | null;
  digestSeq: number;
  archived: boolean;
}

export interface RecordedMessage {
  channelId: string;
  seq: number;
  senderId: string;
  at: Date;
}

export interface SnapshotChange {
  /** false when a newer (or the same) version was already applied. */
  applied: boolean;
  added: string[];
  removed: string[];
}

export abstract class ReadStateRepository {
  /**
   * Applies a membership snapshot unless a newer one is stored; members new to the channel start with
   * their marker at `initialReadSeq` ('zero' for a new channel, 'current' = the channel's last seq).
   */
  abstract applySnapshot(orgId: string, snapshot: ChannelSnapshot, initialReadSeq: 'zero' | 'current'): Promise<SnapshotChange>;
  /**
   * In one write, moves the channel's lastSeq up to `seq` and the sender's marker up to their own message
   * (sent at `at`); returns the channel as it now stands. Repeating it changes nothing.
   */
  abstract recordMessage(orgId: string, input: RecordedMessage): Promise<ChannelState | null>;
  /** false when the deletion was already recorded. */
  abstract recordDeletion(orgId: string, channelId: string, seq: number, senderId: string): Promise<boolean>;
  /** Forward only; returns the marker after the call and whether it moved. */
  abstract markRead(orgId: string, channelId: string, userId: string, seq: number, at: Date): Promise<{ readSeq: number; moved: boolean } | null>;
  /** Applies an archive flag unless a later archive/unarchive event was applied; false when ignored. */
  abstract setArchived(orgId: string, channelId: string, userId: string, archived: boolean, at: Date): Promise<boolean>;
  /** Digest markers move forward to the seqs a sent email covered. */
  abstract advanceDigest(orgId: string, userId: string, covered: { channelId: string; seq: number }[]): Promise<void>;
  /** Replaces the channel's counters with authoritative ones (repair). */
  abstract repairChannel(orgId: string, channelId: string, lastSeq: number, deleted: { seq: number; senderId: string }[]): Promise<void>;

  abstract channel(orgId: string, channelId: string): Promise<ChannelState | null>;
  abstract channels(orgId: string, channelIds: string[]): Promise<Map<string, ChannelState>>;
  abstract row(orgId: string, channelId: string, userId: string): Promise<ReadState | null>;
  /** Current members' rows of a channel. */
  abstract memberRows(orgId: string, channelId: string): Promise<ReadState[]>;
  /** The rows of channels these users are current members of. */
  abstract rowsOfUsers(orgId: string, userIds: string[]): Promise<ReadState[]>;
}

function toChannelState(d: ChannelStateDoc): ChannelState {
  return {
    id: d._id,
    orgId: d.orgId,
    type: (d.type ?? null) as ChannelType | null,
    lastSeq: d.lastSeq ?? 0,
    version: d.version ?? 0,
    members: (d.members ?? []).map((m) => ({ userId: m.userId, kind: m.kind })),
    deleted: (d.deleted ?? []).map((x) => ({ seq: x.seq, senderId: x.senderId })),
    sent: toSent(d),
  };
}

function toSent(d: ChannelStateDoc): Map<string, SentMarker> {
  const at = d.sentAt ?? {};
  return new Map(Object.entries(d.sentSeq ?? {}).map(([field, seq]) => [senderOfField(field), { seq, at: at[field] ?? null }]));
}

function toReadState(d: ReadStateDoc): ReadState {
  return {
    orgId: d.orgId,
    channelId: d.channelId,
    userId: d.userId,
    kind: d.kind,
    member: d.member,
    readSeq: d.readSeq ?? 0,
    readAt: d.readAt ?? null,
    digestSeq: d.digestSeq ?? 0,
    archived: d.archived ?? false,
  };
}

/** Ignores the unique-index collision of a conditional upsert: the stored document is newer. */
async function ignoringDuplicate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/*
 * Every write below is one conditional single-document update (version / marker / time guard in the
 * filter), atomic on MongoDB and on the embedded database (its atomic-updates patch), so writers in any
 * process need no lock.
 */
@Injectable()
export class MongoReadStateRepository extends ReadStateRepository {
  constructor(
    @InjectModel(CHANNEL_STATE_MODEL) private readonly channelStates: Model<ChannelStateDoc>,
    @InjectModel(READ_STATE_MODEL) private readonly readStates: Model<ReadStateDoc>,
  ) {
    super();
  }

  async applySnapshot(orgId: string, s: ChannelSnapshot, initialReadSeq: 'zero' | 'current'): Promise<SnapshotChange> {
    const members = s.members.map((m) => ({ userId: m.userId, kind: m.kind }));
    const { applied, lastSeq } = await (async () => {
      const ok = await ignoringDuplicate(
        this.channelStates.collection.updateOne(
          { _id: s.id as never, orgId, version: { $lt: s.version } },
          {
            $set: { type: s.type, members, version: s.version },
            $setOnInsert: { orgId, lastSeq: 0, deleted: [], deletedSeqs: [] },
          },
          { upsert: true },
        ),
      );
      const doc = await this.channelStates.collection.findOne({ _id: s.id as never, orgId }, { projection: { lastSeq: 1, version: 1 } });
      return { applied: ok && doc?.version === s.version, lastSeq: (doc?.lastSeq as number | undefined) ?? 0 };
    })();
    if (!applied) return { applied: false, added: [], removed: [] };

    const startAt = initialReadSeq === 'zero' ? 0 : lastSeq;
    const added: string[] = [];
    for (const m of members) {
      const before = await (async () => {
        const previous = await this.readStates.collection.findOne({ _id: readStateId(s.id, m.userId) as never }, { projection: { member: 1 } });
        await ignoringDuplicate(
          this.readStates.collection.updateOne(
            { _id: readStateId(s.id, m.userId) as never, orgId, memberVersion: { $lt: s.version } },
            {
              $set: { member: true, memberVersion: s.version, kind: m.kind },
              $setOnInsert: {
                orgId, channelId: s.id, userId: m.userId, readSeq: startAt, readAt: null, digestSeq: startAt, archived: false, archivedAt: null,
              },
            },
            { upsert: true },
          ),
        );
        return previous?.member === true;
      })();
      if (!before) added.push(m.userId);
    }
    // serves: { orgId, channelId, member } index
    const current = await this.readStates.collection.find({ orgId, channelId: s.id, member: true }, { projection: { userId: 1 } }).toArray();
    const keep = new Set(members.map((m) => m.userId));
    const removed: string[] = [];
    for (const row of current) {
      const userId = row.userId as string;
      if (keep.has(userId)) continue;
      const res = await this.readStates.collection.updateOne(
        { _id: readStateId(s.id, userId) as never, orgId, memberVersion: { $lt: s.version } },
        { $set: { member: false, memberVersion: s.version } },
      );
      if (res.modifiedCount === 1) removed.push(userId);
    }
    return { applied: true, added, removed };
  }

  async recordMessage(orgId: string, { channelId, seq, senderId, at }: RecordedMessage): Promise<ChannelState | null> {
    // One round-trip that also returns the channel (its members are needed next). The sender's marker is a
    // field of this document rather than their read-state row, so the message costs this one write.
    const field = senderField(senderId);
    const forward = { lastSeq: seq, [`sentSeq.${field}`]: seq, [`sentAt.${field}`]: at };
    const channel = await (async () => {
      try {
        return await this.channelStates
          .findOneAndUpdate(
            { _id: channelId, orgId },
            { $max: forward, $setOnInsert: { type: null, version: 0, members: [], deleted: [], deletedSeqs: [] } },
            { upsert: true, new: true },
          )
          .lean<ChannelStateDoc>();
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        // A concurrent upsert (another replica) created the document first: apply the $max to it.
        return this.channelStates.findOneAndUpdate({ _id: channelId, orgId }, { $max: forward }, { new: true }).lean<ChannelStateDoc>();
      }
    })();
    return channel ? toChannelState(channel) : null;
  }

  async recordDeletion(orgId: string, channelId: string, seq: number, senderId: string): Promise<boolean> {
    const push = () =>
      this.channelStates.collection.updateOne(
        { _id: channelId as never, orgId, deletedSeqs: { $ne: seq } },
        { $push: { deleted: { seq, senderId }, deletedSeqs: seq } as never },
      );
    if ((await push()).matchedCount === 1) return true;
    // The channel exists: the deletion is recorded already — unless another writer created the document since.
    if (await this.channelStates.collection.findOne({ _id: channelId as never, orgId }, { projection: { _id: 1 } })) return (await push()).matchedCount === 1;
    // The channel is not known yet (its other events may come later): create it holding the deletion.
    const inserted = await ignoringDuplicate(
      this.channelStates.collection.insertOne({
        _id: channelId as never, orgId, type: null, lastSeq: 0, version: 0, members: [], deleted: [{ seq, senderId }], deletedSeqs: [seq],
      }),
    );
    return inserted || (await push()).matchedCount === 1;
  }

  async markRead(orgId: string, channelId: string, userId: string, seq: number, at: Date): Promise<{ readSeq: number; moved: boolean } | null> {
    const id = readStateId(channelId, userId);
    const res = await this.readStates.collection.updateOne({ _id: id as never, orgId, readSeq: { $lt: seq } }, { $set: { readSeq: seq, readAt: at } });
    const row = await this.readStates.collection.findOne({ _id: id as never, orgId }, { projection: { readSeq: 1 } });
    return row ? { readSeq: row.readSeq as number, moved: res.modifiedCount === 1 } : null;
  }

  async setArchived(orgId: string, channelId: string, userId: string, archived: boolean, at: Date): Promise<boolean> {
    const id = readStateId(channelId, userId);
    const byTime = async (): Promise<boolean> => {
      const res = await this.readStates.collection.updateOne(
        { _id: id as never, orgId, $or: [{ archivedAt: null }, { archivedAt: { $lte: at } }] },
        { $set: { archived, archivedAt: at } },
      );
      return res.matchedCount === 1;
    };
    const existing = await this.readStates.collection.findOne({ _id: id as never, orgId }, { projection: { archivedAt: 1 } });
    if (existing) return byTime();
    // Archived before this service saw the membership: keep the flag; the snapshot fills in the rest.
    const inserted = await ignoringDuplicate(
      this.readStates.collection.insertOne({
        _id: id as never, orgId, channelId, userId, kind: 'team_member', member: false, memberVersion: 0,
        readSeq: 0, readAt: null, digestSeq: 0, archived, archivedAt: at,
      }),
    );
    // Another writer created the row meanwhile: this flag is ordered by time against theirs.
    return inserted || byTime();
  }

  async advanceDigest(orgId: string, userId: string, covered: { channelId: string; seq: number }[]): Promise<void> {
    for (const c of covered) {
      await this.readStates.collection.updateOne(
        { _id: readStateId(c.channelId, userId) as never, orgId, digestSeq: { $lt: c.seq } },
        { $set: { digestSeq: c.seq } },
      );
    }
  }

  async repairChannel(orgId: string, channelId: string, lastSeq: number, deleted: { seq: number; senderId: string }[]): Promise<void> {
    const unique = [...new Map(deleted.map((d) => [d.seq, { seq: d.seq, senderId: d.senderId }])).values()].sort((a, b) => a.seq - b.seq);
    await ignoringDuplicate(
      this.channelStates.collection.updateOne(
        { _id: channelId as never, orgId },
        {
          $set: { lastSeq, deleted: unique, deletedSeqs: unique.map((d) => d.seq) },
          $setOnInsert: { type: null, version: 0, members: [] },
        },
        { upsert: true },
      ),
    );
  }

  async channel(orgId: string, channelId: string): Promise<ChannelState | null> {
    const doc = await this.channelStates.findOne({ _id: channelId, orgId }).lean<ChannelStateDoc>();
    return doc ? toChannelState(doc) : null;
  }

  async channels(orgId: string, channelIds: string[]): Promise<Map<string, ChannelState>> {
    // serves: the _id index (an $in of at most IN_LIST_MAX ids per query)
    const docs = await findInChunks(channelIds, (ids) => this.channelStates.find({ _id: oneOrIn(ids), orgId }).lean<ChannelStateDoc[]>());
    return new Map(docs.map((d) => [d._id, toChannelState(d)]));
  }

  async row(orgId: string, channelId: string, userId: string): Promise<ReadState | null> {
    const doc = await this.readStates.findOne({ _id: readStateId(channelId, userId), orgId }).lean<ReadStateDoc>();
    return doc ? toReadState(doc) : null;
  }

  async memberRows(orgId: string, channelId: string): Promise<ReadState[]> {
    // serves: { orgId, channelId, member } index
    const docs = await this.readStates.find({ orgId, channelId, member: true }).lean<ReadStateDoc[]>();
    return docs.map(toReadState);
  }

  async rowsOfUsers(orgId: string, userIds: string[]): Promise<ReadState[]> {
    // serves: { orgId, userId, member } index
    const docs = await findInChunks(userIds, (ids) => this.readStates.find({ orgId, userId: oneOrIn(ids), member: true }).lean<ReadStateDoc[]>());
    return docs.map(toReadState);
  }
}
