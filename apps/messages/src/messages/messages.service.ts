import { Inject, Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, MessagePage, SendMessageResult } from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { MediaService } from '../media/media.service';
import { MembershipService, sealingSubject } from '../membership/membership.service';
import { MessageEvents } from './message-events';
import { MessageStore } from './message.store';

export const DEFAULT_PAGE = 50;

export interface SendInput {
  actor: Actor;
  channelId: string;
  clientMessageId: string;
  body: string;
  /** Media ids from POST /v1/media, uploaded by the sender. */
  attachments?: string[];
  correlationId?: string;
}

export interface ListInput {
  actor: Actor;
  channelId: string;
  after?: number;
  before?: number;
  limit?: number;
  /** Only thread roots; by default every message, replies included, so seq catch-up stays exact. */
  roots?: boolean;
}

@Injectable()
export class MessagesService {
  constructor(
    // Only what sending and paging use of the store.
    @Inject(MessageStore) private readonly repo: Pick<MessageStore, 'append' | 'findByClientId' | 'list'>,
    private readonly membership: MembershipService,
    private readonly media: MediaService,
  ) {}

  /**
   * Stores a message under the channel's next seq and announces it (message.created, via the outbox).
   * Idempotent per (channel, sender, clientMessageId): a retry returns the original message.
   */
  async send({ actor, channelId, clientMessageId, body, attachments, correlationId }: SendInput): Promise<SendMessageResult> {
    const channel = await this.membership.requireMember(actor, channelId);
    // A retry of an earlier send is recognised by the unique (channel, sender, clientMessageId) index when
    // its insert fails, so the common case costs no lookup.
    // Attached media becomes readable by the channel's members before the message announcing it exists.
    if (attachments?.length) {
      await this.media.requireOwnMedia(actor, attachments);
      await this.media.grantToChannel(actor.orgId, channelId, attachments, sealingSubject(channel, actor));
    }

    const draft = {
      _id: newId('msg'),
      orgId: actor.orgId,
      channelId,
      senderId: actor.userId,
      senderKind: actor.kind,
      clientMessageId,
      body,
      threadId: null,
      createdAt: new Date(),
      sealedFor: sealingSubject(channel, actor),
      ...(attachments?.length ? { attachments: [...new Set(attachments)] } : {}),
    };
    const stored = await this.repo.append(draft, (message) => [MessageEvents.created(message, { orgId: actor.orgId, correlationId })]);
    if (stored) return { message: stored, created: true };
    // A concurrent retry of the same clientMessageId won the insert; return its message.
    const original = await this.repo.findByClientId(actor.orgId, channelId, actor.userId, clientMessageId);
    if (!original) throw new DomainError(ErrorCode.Conflict, 'message could not be stored; retry with the same clientMessageId');
    return { message: original, created: false };
  }

  async list({ actor, channelId, after, before, limit, roots }: ListInput): Promise<MessagePage> {
    await this.membership.requireMember(actor, channelId);
    if (after !== undefined && before !== undefined && before <= after + 1) return { messages: [], hasMore: false };
    const pageSize = limit ?? DEFAULT_PAGE;
    const rows = await this.repo.list(actor.orgId, channelId, { after, before, limit: pageSize + 1, rootsOnly: roots, viewerId: actor.userId });
    const hasMore = rows.length > pageSize;
    // One extra row was fetched to learn whether more exist; drop it from the far end of travel.
    const messages = !hasMore ? rows : after !== undefined ? rows.slice(0, pageSize) : rows.slice(1);
    return { messages, hasMore };
  }
}
