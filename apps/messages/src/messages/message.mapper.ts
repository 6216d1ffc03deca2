import { Injectable } from '@nestjs/common';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import type { StoredBox } from '@wellifiy/crypto';
import { OutboxEntry, StoredOutboxEntry } from '@wellifiy/messaging';
import { MessageCipher, sealingRef } from '../encryption/message-cipher';
import { MessageDoc } from './message.schema';

/** A message as the services see it: its content in plaintext (the mapper seals it for the database). */
export type OpenedMessage = Omit<MessageDoc, 'outbox' | 'outboxAt' | 'outboxPending' | 'body' | 'linkPreview'> & { body: string; linkPreview?: LinkPreview | null };

/** A message about to be sent: everything but the seq, which the store claims. */
export type MessageDraft = Omit<OpenedMessage, 'seq'>;

/** What a change may set on a stored message (content in plaintext: the mapper seals it). */
export type MessageFields = Partial<
  Pick<OpenedMessage, 'body' | 'linkPreview' | 'replyCount' | 'lastReplyAt' | 'reactions' | 'editedAt' | 'editedBy' | 'deleted' | 'deletedAt' | 'deletedBy'>
>;

/** The message as clients see it; with `viewerId`, reactions say whether that viewer reacted (`me`). */
export function toMessageView(d: OpenedMessage, viewerId?: string): MessageView {
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

/**
 * Sealed document ⇄ opened message. Content whose patient key was erased opens as a tombstone (`deleted`,
 * `deletedBy: 'erasure'`, empty body, no media): never an error.
 */
@Injectable()
export class MessageMapper {
  constructor(private readonly cipher: MessageCipher) {}

  async open(doc: MessageDoc): Promise<OpenedMessage> {
    const { body, linkPreview, erased } = await this.cipher.openContent(doc);
    return { ...doc, body, linkPreview, ...(erased ? { deleted: true, deletedBy: 'erasure' as const, attachments: [] } : {}) };
  }

  /** The body of a new message as it is stored; its context is the message id, so it is sealed once per send. */
  sealBody(draft: MessageDraft): Promise<StoredBox> {
    return this.cipher.sealBody(draft._id, draft.body, sealingRef(draft.orgId, draft.sealedFor));
  }

  /** The `$set` of a change: content sealed under the message's key, the other fields as they are. */
  async toSet(message: Pick<OpenedMessage, '_id' | 'orgId' | 'sealedFor'>, fields: MessageFields): Promise<Record<string, unknown>> {
    const ref = sealingRef(message.orgId, message.sealedFor);
    const { body, linkPreview, ...plain } = fields;
    return {
      ...plain,
      ...(body !== undefined ? { body: await this.cipher.sealBody(message._id, body, ref) } : {}),
      ...(linkPreview !== undefined ? { linkPreview: linkPreview && (await this.cipher.sealLinkPreview(message._id, linkPreview, ref)) } : {}),
    };
  }

  /** Outbox entries written by earlier releases, opened just before publishing (see MessageCipher.openLegacyEvent). */
  openLegacyEvent(entry: StoredOutboxEntry): StoredOutboxEntry | OutboxEntry {
    return this.cipher.openLegacyEvent(entry);
  }
}
