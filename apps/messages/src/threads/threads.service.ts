import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, MessagePage, SendMessageResult } from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { MembershipService, sealingSubject } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { MessageEvents } from '../messages/message-events';
import { toMessageView } from '../messages/message.mapper';
import { MessageStore } from '../messages/message.store';
import { DEFAULT_PAGE } from '../messages/messages.service';

export interface ReplyInput {
  actor: Actor;
  channelId: string;
  /** The message replied to; a reply to a reply joins the same root. */
  messageId: string;
  clientMessageId: string;
  body: string;
  correlationId?: string;
}

export interface ListRepliesInput {
  actor: Actor;
  channelId: string;
  messageId: string;
  after?: number;
  limit?: number;
}

/**
 * Threads: a reply is a message of the channel (it gets the channel's next seq, so catch-up by seq sees it)
 * with `threadId` = the root. The root's `replyCount` / `lastReplyAt` are recounted from the replies under the
 * root's lock, so concurrent replies, retries and a crash between the two writes all end with exact counters.
 */
@Injectable()
export class ThreadsService {
  constructor(
    private readonly messages: MessageStore,
    private readonly changes: MessageChanges,
    private readonly membership: MembershipService,
  ) {}

  async reply({ actor, channelId, messageId, clientMessageId, body, correlationId }: ReplyInput): Promise<SendMessageResult> {
    const channel = await this.membership.requireMember(actor, channelId);
    const previous = await this.messages.findByClientId(actor.orgId, channelId, actor.userId, clientMessageId);
    if (previous) {
      // A retry: the first attempt may have died before the recount.
      if (previous.threadId) await this.recount(actor.orgId, channelId, previous.threadId, correlationId);
      return { message: previous, created: false };
    }
    const parent = await this.messages.findById(actor.orgId, channelId, messageId);
    if (!parent) throw new DomainError(ErrorCode.NotFound, `message ${messageId} not found`);
    if (parent.deleted) throw new DomainError(ErrorCode.MessageDeleted, 'a deleted message cannot be replied to');
    const rootId = parent.threadId ?? parent._id;

    const draft = {
      _id: newId('msg'), orgId: actor.orgId, channelId, senderId: actor.userId, senderKind: actor.kind,
      clientMessageId, body, threadId: rootId, createdAt: new Date(), sealedFor: sealingSubject(channel, actor),
    };
    const stored = await this.messages.append(draft, (message) => [MessageEvents.created(message, { orgId: actor.orgId, correlationId })]);
    const message = stored ?? (await this.messages.findByClientId(actor.orgId, channelId, actor.userId, clientMessageId));
    if (!message) throw new DomainError(ErrorCode.Conflict, 'reply could not be stored; retry with the same clientMessageId');
    await this.recount(actor.orgId, channelId, rootId, correlationId);
    return { message, created: stored !== null };
  }

  async listReplies({ actor, channelId, messageId, after, limit }: ListRepliesInput): Promise<MessagePage> {
    await this.membership.requireMember(actor, channelId);
    const root = await this.messages.findById(actor.orgId, channelId, messageId);
    if (!root || root.threadId) throw new DomainError(ErrorCode.NotFound, `thread ${messageId} not found`);
    const pageSize = limit ?? DEFAULT_PAGE;
    const rows = await this.messages.listReplies(actor.orgId, channelId, messageId, { after, limit: pageSize + 1 });
    return { messages: rows.slice(0, pageSize).map((m) => toMessageView(m, actor.userId)), hasMore: rows.length > pageSize };
  }

  /** Sets the root's counters from its replies and announces the root (message.updated) when they changed. */
  private async recount(orgId: string, channelId: string, rootId: string, correlationId?: string): Promise<void> {
    await this.changes.apply({ orgId, channelId, messageId: rootId }, async (root) => {
      const { count, lastAt } = await this.messages.threadStats(orgId, channelId, rootId);
      if ((root.replyCount ?? 0) === count && (root.lastReplyAt?.getTime() ?? null) === (lastAt?.getTime() ?? null)) return null;
      return {
        set: { replyCount: count, lastReplyAt: lastAt },
        events: (next) => [MessageEvents.updated(toMessageView(next), { orgId, correlationId })],
      };
    });
  }
}
