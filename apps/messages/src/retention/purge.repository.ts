import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MESSAGE_VERSION_MODEL, MessageVersionDoc } from '../edits/message-history.schema';
import { MediaRepository } from '../media/media.repository';
import { DueQuery, MessageStore, PurgeCandidate } from '../messages/message.store';

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
    private readonly messages: MessageStore,
    @InjectModel(MESSAGE_VERSION_MODEL) private readonly versions: Model<MessageVersionDoc>,
    private readonly media: MediaRepository,
  ) {
    super();
  }

  contentDue(q: DueQuery): Promise<PurgeCandidate[]> {
    return this.messages.contentDue(q);
  }

  mediaDue(q: DueQuery): Promise<PurgeCandidate[]> {
    return this.messages.mediaDue(q);
  }

  async purgeContent(orgId: string, m: PurgeCandidate, at: Date): Promise<void> {
    for (const mediaId of m.attachments) await this.media.deleteForRetention(orgId, mediaId);
    await this.versions.deleteMany({ orgId, messageId: m.id });
    // The message last: until then the next sweep finds it again and finishes the job.
    await this.messages.purgeContent(orgId, m.id, at);
  }

  async purgeMedia(orgId: string, m: PurgeCandidate, at: Date): Promise<void> {
    for (const mediaId of m.attachments) await this.media.deleteForRetention(orgId, mediaId);
    await this.messages.purgeMedia(orgId, m.id, at);
  }
}
