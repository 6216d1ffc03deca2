import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Events, LinkPreview, MessageView } from '@wellifiy/contracts';
import { OUTBOX_HIDDEN, outboxEntry, OutboxRelay, pushOutbox, StoredOutboxEntry } from '@wellifiy/messaging';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageDoc } from '../messages/message.schema';
import { toMessageView } from '../messages/messages.repository';

export interface SetPreviewInput {
  orgId: string;
  messageId: string;
  preview: LinkPreview;
  correlationId?: string;
}

/** What a preview job needs of its message: the body (opened) to find the link in, and whether a preview is due. */
export interface MessageForPreview {
  body: string;
  deleted: boolean;
  hasPreview: boolean;
}

export abstract class LinkPreviewsRepository {
  /** null when the message is unknown in the organisation. */
  abstract findForPreview(orgId: string, messageId: string): Promise<MessageForPreview | null>;
  /** Stores the (encrypted) preview on the message with its message.updated in the outbox; null if the message is gone or deleted. */
  abstract setPreview(input: SetPreviewInput): Promise<MessageView | null>;
}

const PREVIEW_ATTEMPTS = 5;

@Injectable()
export class MongoLinkPreviewsRepository extends LinkPreviewsRepository {
  constructor(
    @InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageDoc>,
    private readonly cipher: MessageCipher,
    private readonly relay: OutboxRelay,
  ) {
    super();
  }

  async findForPreview(orgId: string, messageId: string): Promise<MessageForPreview | null> {
    const doc = await this.messages.findOne({ _id: messageId, orgId }).select({ body: 1, deleted: 1, linkPreview: 1 }).lean<MessageDoc>();
    if (!doc) return null;
    const { body, erased } = await this.cipher.openContent({ _id: doc._id, body: doc.body });
    return { body, deleted: doc.deleted === true || erased, hasPreview: Boolean(doc.linkPreview) };
  }

  /*
   * Read-modify-write of the message (the event carries the whole view): the update is guarded by the version it
   * read, so an edit, delete or reaction meanwhile (any process) makes it re-read. It only $sets linkPreview and
   * pushes the outbox entry.
   */
  async setPreview({ orgId, messageId, preview, correlationId }: SetPreviewInput): Promise<MessageView | null> {
    let done: { view: MessageView; entry: StoredOutboxEntry } | null = null;
    for (let attempt = 0; attempt < PREVIEW_ATTEMPTS && !done; attempt++) {
      const doc = await this.messages.findOne({ _id: messageId, orgId }).select(OUTBOX_HIDDEN).lean<MessageDoc>();
      if (!doc || doc.deleted) return null; // a deleted message shows a tombstone, not a preview of its link
      if (doc.linkPreview) return null; // set by an earlier run of the same job: nothing to announce twice
      const { body, erased } = await this.cipher.openContent({ _id: doc._id, body: doc.body });
      if (erased) return null;
      const view = toMessageView({ ...doc, body, linkPreview: preview });
      const [entry] = this.relay.toStored([outboxEntry(Events.MessageUpdated, { message: view }, { orgId, correlationId })]);
      const res = await this.messages.updateOne(
        { _id: messageId, orgId, version: doc.version ?? { $exists: false } },
        { $set: { linkPreview: await this.cipher.sealLinkPreview(messageId, preview, sealingRef(orgId, doc.sealedFor)) }, ...pushOutbox([entry]) },
      );
      if (res.matchedCount) done = { view, entry };
    }
    if (!done) return null;
    await this.relay.dispatch(this.messages, messageId, [done.entry]);
    return done.view;
  }
}
