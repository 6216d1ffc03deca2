import { Injectable, Logger } from '@nestjs/common';
import {
  Actor, ChannelSnapshot, channelTypeVisibleTo, DomainError, ErrorCode, EventName, EventPayloads, Events, MarkReadResult, MessageDeletedData, MessageView, ReadReceipt, ReceiptsResult,
  UnreadSummary,
} from '@wellifiy/contracts';
import { EventPublisher, requireChannelMember, RpcClient } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { BadgePublisher } from './badge.publisher';
import { ChannelState, ReadState, ReadStateRepository } from './read-state.repository';
import { readMarker, summarise } from './unread';

export interface MembershipEventInput {
  orgId: string;
  snapshot: ChannelSnapshot;
  /** channel.created: members start with nothing read; later changes start new members at the current seq. */
  kind: 'created' | 'changed';
}

/**
 * How long a read marker ahead of the channel's known last seq waits for the message events that would
 * reach it (they usually trail the client by milliseconds), polling every MARK_READ_CATCH_UP_POLL_MS; then
 * it is clamped. Only markers ahead of the projection pay this; a marker far past the end pays it once.
 */
export const MARK_READ_CATCH_UP_MS = 1500;
const MARK_READ_CATCH_UP_POLL_MS = 50;

/**
 * Read markers, unread counts and receipts. Counts are derived on read from the channel's last seq and
 * deletions against each member's marker, so a message costs one channel write whatever its size; every
 * change of a count is announced through the BadgePublisher.
 */
@Injectable()
export class ReadStateService {
  private readonly logger = new Logger('ReadState');

  constructor(
    private readonly repo: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly rpc: RpcClient,
    private readonly publisher: EventPublisher,
    private readonly config: NotificationsConfig,
    private readonly badges: BadgePublisher,
  ) {}

  async membershipChanged({ orgId, snapshot, kind }: MembershipEventInput): Promise<void> {
    const change = await this.repo.applySnapshot(orgId, snapshot, kind === 'created' ? 'zero' : 'current');
    if (change.applied) await this.badges.publish(orgId, [...change.added, ...change.removed], snapshot.id);
  }

  /** Moves the channel's last seq (and the sender's marker); the channel as it now stands, if it is known. */
  recordMessage(orgId: string, message: MessageView): Promise<ChannelState | null> {
    return this.repo.recordMessage(orgId, { channelId: message.channelId, seq: message.seq, senderId: message.senderId, at: new Date(message.createdAt) });
  }

  async messageDeleted(orgId: string, d: MessageDeletedData): Promise<void> {
    const recorded = await this.repo.recordDeletion(orgId, d.channelId, d.seq, d.senderId);
    if (!recorded) return;
    const channel = await this.repo.channel(orgId, d.channelId);
    await this.badges.publish(orgId, channel?.members.map((m) => m.userId) ?? [], d.channelId);
  }

  async archiveChanged(orgId: string, channelId: string, userId: string, archived: boolean, at: Date): Promise<void> {
    if (await this.repo.setArchived(orgId, channelId, userId, archived, at)) await this.badges.publish(orgId, [userId], channelId);
  }

  async summary(actor: Actor): Promise<UnreadSummary> {
    const rows = await this.repo.rowsOfUsers(actor.orgId, [actor.userId]);
    const [channels, stored] = await Promise.all([
      this.repo.channels(actor.orgId, rows.map((r) => r.channelId)),
      this.settings.find(actor.orgId, actor.userId),
    ]);
    return summarise(actor.kind, rows, channels, effectiveSettings(actor.userId, stored, this.config).muted);
  }

  async markRead(actor: Actor, channelId: string, seq: number): Promise<MarkReadResult> {
    const { channel } = await this.requireMember(actor, channelId);
    const at = new Date();
    // A marker is never past the channel's last message: one far ahead would hold every later message
    // below it, read, for good. The projection's lastSeq may trail a message the client already shows (its
    // message.created is on its way), so a marker ahead of it waits briefly for that event before it is clamped.
    const lastSeq = seq > channel.lastSeq ? await this.lastSeqReaching(actor.orgId, channelId, seq, channel.lastSeq) : channel.lastSeq;
    const target = Math.min(seq, lastSeq);
    const marked = await this.repo.markRead(actor.orgId, channelId, actor.userId, target, at);
    if (!marked) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    // The member's own newest message already holds their marker there: a row moved below it moves nothing.
    const sent = readMarker(channel, { userId: actor.userId, readSeq: 0 }).readSeq;
    const result = { readSeq: Math.max(marked.readSeq, sent), moved: marked.moved && target > sent };
    const summary = await this.summary(actor);
    if (result.moved) {
      const unread = summary.channels.find((c) => c.channelId === channelId)?.unread ?? 0;
      await this.badges.announce(actor.orgId, [{ userId: actor.userId, total: summary.total, channelId, unread }]);
      await this.emit(Events.ReceiptUpdated, actor.orgId, {
        channelId,
        userId: actor.userId,
        userKind: actor.kind,
        readSeq: result.readSeq,
        readAt: at.toISOString(),
        visibleTo: this.receiptAudience(actor, channel),
      });
    }
    return {
      channelId,
      readSeq: result.readSeq,
      unread: summary.channels.find((c) => c.channelId === channelId)?.unread ?? 0,
      total: summary.total,
    };
  }

  /** The channel's last seq once it reaches `seq`, or as it stands after MARK_READ_CATCH_UP_MS. */
  private async lastSeqReaching(orgId: string, channelId: string, seq: number, known: number): Promise<number> {
    const deadline = Date.now() + MARK_READ_CATCH_UP_MS;
    let lastSeq = known;
    while (lastSeq < seq && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, MARK_READ_CATCH_UP_POLL_MS));
      lastSeq = (await this.repo.channel(orgId, channelId))?.lastSeq ?? lastSeq;
    }
    return lastSeq;
  }

  /** Team members see everyone's markers; a patient sees the team members' and their own (DESIGN §2 rule 9). */
  async receipts(actor: Actor, channelId: string): Promise<ReceiptsResult> {
    const { channel } = await this.requireMember(actor, channelId);
    const rows = await this.repo.memberRows(actor.orgId, channelId);
    const visible = rows.filter((r) => actor.kind === 'team_member' || r.kind === 'team_member' || r.userId === actor.userId);
    const receipts: ReadReceipt[] = visible
      .map((r) => {
        const { readSeq, readAt } = readMarker(channel, r);
        return { userId: r.userId, kind: r.kind, readSeq, readAt: readAt ? readAt.toISOString() : null };
      })
      .sort((a, b) => b.readSeq - a.readSeq || (a.userId < b.userId ? -1 : 1));
    return { channelId, receipts };
  }

  async repair(orgId: string, channelId: string, lastSeq: number, deleted: { seq: number; senderId: string }[]): Promise<void> {
    await this.repo.repairChannel(orgId, channelId, lastSeq, deleted);
    const channel = await this.repo.channel(orgId, channelId);
    await this.badges.publish(orgId, channel?.members.map((m) => m.userId) ?? [], channelId);
  }

  /** The channel and the caller's row if they may act in it, else NOT_FOUND (projection first, then the channels service). */
  requireMember(actor: Actor, channelId: string): Promise<{ channel: ChannelState; row: ReadState }> {
    return requireChannelMember(this.rpc, actor, channelId, {
      local: () => this.memberView(actor, channelId),
      refresh: async (channel) => {
        if (!channel.members.some((m) => m.userId === actor.userId)) return null;
        await this.repo.applySnapshot(actor.orgId, channel, 'current');
        return this.memberView(actor, channelId);
      },
    });
  }

  private async memberView(actor: Actor, channelId: string): Promise<{ channel: ChannelState; row: ReadState } | null> {
    const [row, channel] = await Promise.all([this.repo.row(actor.orgId, channelId, actor.userId), this.repo.channel(actor.orgId, channelId)]);
    if (!row?.member || !channel || !channelTypeVisibleTo(actor.kind, channel.type)) return null;
    return { channel, row };
  }

  /** A patient's marker in a group reaches the team members only; every other marker, the whole channel. */
  private receiptAudience(actor: Actor, channel: ChannelState): string[] | null {
    if (actor.kind !== 'patient' || channel.type !== 'group') return null;
    return [...new Set([actor.userId, ...channel.members.filter((m) => m.kind === 'team_member').map((m) => m.userId)])];
  }

  /** Realtime only: a lost receipt is repaired by the client's next GET of the receipts. */
  private async emit<K extends EventName>(type: K, orgId: string, data: EventPayloads[K]): Promise<void> {
    try {
      await this.publisher.publish(type, data, { orgId });
    } catch (err) {
      this.logger.warn(`could not publish ${type}: ${(err as Error).message}`);
    }
  }
}
