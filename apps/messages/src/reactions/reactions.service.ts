import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, Events, isValidReaction, MessageView, REACTIONS_PER_MESSAGE_MAX } from '@wellifiy/contracts';
import { outboxEntry } from '@wellifiy/messaging';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { toMessageView } from '../messages/message.mapper';

export interface ReactInput {
  actor: Actor;
  channelId: string;
  messageId: string;
  emoji: string;
  /** true: add my reaction; false: remove it. */
  on: boolean;
  correlationId?: string;
}

type StoredReactions = { emoji: string; userIds: string[] }[];

/** Adds or removes `userId`'s reaction; null when it already stands as asked (idempotent). */
export function applyReaction(reactions: StoredReactions, emoji: string, userId: string, on: boolean): StoredReactions | null {
  const has = reactions.some((r) => r.emoji === emoji && r.userIds.includes(userId));
  if (has === on) return null;
  if (!on) {
    return reactions
      .map((r) => (r.emoji === emoji ? { emoji, userIds: r.userIds.filter((u) => u !== userId) } : r))
      .filter((r) => r.userIds.length > 0);
  }
  if (reactions.some((r) => r.emoji === emoji)) {
    return reactions.map((r) => (r.emoji === emoji ? { emoji, userIds: [...r.userIds, userId] } : r));
  }
  // Joining an existing reaction is always possible; only a new distinct one can reach the cap.
  if (reactions.length >= REACTIONS_PER_MESSAGE_MAX) {
    throw new DomainError(
      ErrorCode.ReactionLimitReached,
      `a message carries at most ${REACTIONS_PER_MESSAGE_MAX} distinct reactions: add yours to one already there`,
      { limit: REACTIONS_PER_MESSAGE_MAX },
    );
  }
  return [...reactions, { emoji, userIds: [userId] }];
}

/** Likes and emoji reactions (`like` is a reaction). */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly changes: MessageChanges,
    private readonly membership: MembershipService,
  ) {}

  async react({ actor, channelId, messageId, emoji, on, correlationId }: ReactInput): Promise<MessageView> {
    if (!isValidReaction(emoji)) throw new DomainError(ErrorCode.InvalidReaction, 'emoji must be one emoji or a known reaction name such as like');
    await this.membership.requireMember(actor, channelId);
    const updated = await this.changes.apply({ orgId: actor.orgId, channelId, messageId }, (m) => {
      if (m.deleted) throw new DomainError(ErrorCode.MessageDeleted, 'a deleted message cannot be reacted to');
      const reactions = applyReaction(m.reactions ?? [], emoji, actor.userId, on);
      if (!reactions) return null;
      return {
        set: { reactions },
        events: (next) => [
          outboxEntry(
            Events.ReactionUpdated,
            {
              channelId, messageId, seq: next.seq, userId: actor.userId, emoji, reacted: on,
              reactions: reactions.map((r) => ({ emoji: r.emoji, count: r.userIds.length })),
            },
            { orgId: actor.orgId, correlationId },
          ),
        ],
      };
    });
    if (!updated) throw new DomainError(ErrorCode.NotFound, `message ${messageId} not found`);
    return toMessageView(updated, actor.userId);
  }
}
