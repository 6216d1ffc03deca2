import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MESSAGE_VERSION_MODEL, MessageVersionDoc } from '../edits/message-history.schema';
import { MediaRepository } from '../media/media.repository';
import { MESSAGE_MODEL, MessageDoc } from '../messages/message.schema';

export interface PurgeCandidate {
  id: string;
  channelId: string;
  attachments: string[];
}

export interface DueQuery {
  orgId: string;
  before: Date;
  /** Channels under a legal hold: never purged. */
  excludedChannels: string[];
  limit: number;
}

/** Removal of message content past retention; every step can be repeated, so a crashed sweep is finished by the next. */
export abstract class PurgeRepository {
  /** Messages older than `before` whose content is still there. */
  abstract contentDue(q: DueQuery): Promise<PurgeCandidate[]>;
  /** Messages older than `before` that still carry media. */
  abstract mediaDue(q: DueQuery): Promise<PurgeCandidate[]>;
  /** Deletes the media, the edit history and the body and link preview, leaving a tombstone. */
  abstract purgeContent(orgId: string, message: PurgeCandidate, at: Date): Promise<void>;
  /** Deletes the media of a message, keeping its body. */
  abstract purgeMedia(orgId: string, message: PurgeCandidate, at: Date): Promise<void>;
}

@Injectable()
export class MongoPurgeRepository extends PurgeRepository {
  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    @InjectModel(MESSAGE_VERSION_MODEL) private readonly versions: Model<MessageVersionDoc>,
    private readonly media: MediaRepository,
  ) {
    super();
  }

  async contentDue({ orgId, before, excludedChannels, limit }: DueQuery): Promise<PurgeCandidate[]> {
    // serves: { orgId, createdAt } index; purged messages carry purgedAt and drop out, so the next batch starts afresh
    const docs = await this.messages
      .find({ orgId, createdAt: { $lt: before }, purgedAt: { $exists: false }, ...(excludedChannels.length ? { channelId: { $nin: excludedChannels } } : {}) })
      .select({ channelId: 1, attachments: 1 })
      .limit(limit)
      .lean<Pick<MessageDoc, '_id' | 'channelId' | 'attachments'>[]>();
    return docs.map((d) => ({ id: d._id, channelId: d.channelId, attachments: d.attachments ?? [] }));
  }

  async mediaDue({ orgId, before, excludedChannels, limit }: DueQuery): Promise<PurgeCandidate[]> {
    // serves: { orgId, createdAt } index. `attachments` is only ever set non-empty, and unset when purged.
    const docs = await this.messages
      .find({ orgId, createdAt: { $lt: before }, attachments: { $exists: true }, mediaPurgedAt: { $exists: false }, ...(excludedChannels.length ? { channelId: { $nin: excludedChannels } } : {}) })
      .select({ channelId: 1, attachments: 1 })
      .limit(limit)
      .lean<Pick<MessageDoc, '_id' | 'channelId' | 'attachments'>[]>();
    return docs.map((d) => ({ id: d._id, channelId: d.channelId, attachments: d.attachments ?? [] }));
  }

  async purgeContent(orgId: string, m: PurgeCandidate, at: Date): Promise<void> {
    for (const mediaId of m.attachments) await this.media.deleteForRetention(orgId, mediaId);
    await this.versions.deleteMany({ orgId, messageId: m.id });
    // Last; the version bump makes a concurrent edit (any process) lose its compare-and-set, re-read, and find a
    // tombstone.
    await this.messages.collection.updateOne(
      { _id: m.id as never, orgId, purgedAt: { $exists: false } },
      {
        $set: { body: null, linkPreview: null, deleted: true, deletedAt: at, deletedBy: 'retention', purgedAt: at, mediaPurgedAt: at },
        $unset: { attachments: '' },
        $inc: { version: 1 },
      },
    );
  }

  async purgeMedia(orgId: string, m: PurgeCandidate, at: Date): Promise<void> {
    for (const mediaId of m.attachments) await this.media.deleteForRetention(orgId, mediaId);
    await this.messages.collection.updateOne(
      { _id: m.id as never, orgId, mediaPurgedAt: { $exists: false } },
      { $set: { mediaPurgedAt: at }, $unset: { attachments: '' }, $inc: { version: 1 } },
    );
  }
}
