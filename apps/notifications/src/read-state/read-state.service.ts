import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  Actor, ChannelSnapshot, DomainError, ErrorCode, EventName, EventPayloads, Events, MarkReadResult, MessageDeletedData, MessageView, ReadReceipt, ReceiptsResult, Rpc,
  UnreadSummary, UserBadge,
} from '@wellifiy/contracts';
import { EventPublisher, RpcClient } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { DigestScheduler } from '../digest/digest.scheduler';
import { PushService } from '../push/push.service';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { ChannelState, ReadState, ReadStateRepository } from './read-state.repository';
import { summarise, visibleTo } from './unread';

export interface MembershipEventInput {
  orgId: string;
  snapshot: ChannelSnapshot;
  /** channel.created: members start with nothing read; later changes start new members at the current seq. */
  kind: 'created' | 'changed';
}

/**
 * Read markers, unread counts, badges and receipts. Counts are derived on read from the channel's last seq
 * and deletions against each member's marker, so a message costs one channel write whatever its size.
 */
/**
 * How long the badges a message changes wait for others to join them. Badges of every message arriving in the
 * window are recomputed together — three queries per batch instead of three per message — so their cost does
 * not grow with the message rate or the number of members of busy channels.
 */
export const BADGE_COALESCE_MS = 100;
/**
 * How long a read marker ahead of the channel's known last seq waits for the message events that would
 * reach it (they usually trail the client by milliseconds), polling every MARK_READ_CATCH_UP_POLL_MS; then
 * it is clamped. Only markers ahead of the projection pay this; a marker far past the end pays it once.
 */
export const MARK_READ_CATCH_UP_MS = 1500;
const MARK_READ_CATCH_UP_POLL_MS = 50;
/** Users recomputed per query. */
const BADGE_BATCH_USERS = 500;

@Injectable()
export class ReadStateService implements OnModuleDestroy {
  private readonly logger = new Logger('ReadState');
  /** orgId → channelId → members whose badge a message changed, waiting for the next flush. */
  private pendingBadges = new Map<string, Map<string, Set<string>>>();
  private badgeTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly rpc: RpcClient,
    private readonly publisher: EventPublisher,
    private readonly config: NotificationsConfig,
    private readonly digests: DigestScheduler,
    private readonly push: PushService,
  ) {}

  async membershipChanged({ orgId, snapshot, kind }: MembershipEventInput): Promise<void> {
    const change = await this.repo.applySnapshot(orgId, snapshot, kind === 'created' ? 'zero' : 'current');
    if (change.applied) await this.publishBadges(orgId, [...change.added, ...change.removed], snapshot.id);
  }

  async messageCreated(orgId: string, message: MessageView, correlationId?: string): Promise<void> {
    const channel = await this.repo.recordMessage(orgId, message.channelId, message.seq, message.senderId);
    this.queueBadges(orgId, message.channelId, channel?.members.map((m) => m.userId) ?? []);
    await this.digests.channelActivity(orgId, message.channelId, correlationId);
    if (channel) await this.push.messageCreated(orgId, message, channel, correlationId);
  }

  async messageDeleted(orgId: string, d: MessageDeletedData): Promise<void> {
    const recorded = await this.repo.recordDeletion(orgId, d.channelId, d.seq, d.senderId);
    if (!recorded) return;
    const channel = await this.repo.channel(orgId, d.channelId);
    await this.publishBadges(orgId, channel?.members.map((m) => m.userId) ?? [], d.channelId);
  }

  async archiveChanged(orgId: string, channelId: string, userId: string, archived: boolean, at: Date): Promise<void> {
    if (await this.repo.setArchived(orgId, channelId, userId, archived, at)) await this.publishBadges(orgId, [userId], channelId);
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
    const result = await this.repo.markRead(actor.orgId, channelId, actor.userId, target, at);
    if (!result) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    const summary = await this.summary(actor);
    if (result.moved) {
      const unread = summary.channels.find((c) => c.channelId === channelId)?.unread ?? 0;
      await this.emit(Events.BadgeUpdated, actor.orgId, { badges: [{ userId: actor.userId, total: summary.total, channelId, unread }] });
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
    await this.requireMember(actor, channelId);
    const rows = await this.repo.memberRows(actor.orgId, channelId);
    const visible = rows.filter((r) => actor.kind === 'team_member' || r.kind === 'team_member' || r.userId === actor.userId);
    const receipts: ReadReceipt[] = visible
      .map((r) => ({ userId: r.userId, kind: r.kind, readSeq: r.readSeq, readAt: r.readAt ? r.readAt.toISOString() : null }))
      .sort((a, b) => b.readSeq - a.readSeq || (a.userId < b.userId ? -1 : 1));
    return { channelId, receipts };
  }

  async repair(orgId: string, channelId: string, lastSeq: number, deleted: { seq: number; senderId: string }[]): Promise<void> {
    await this.repo.repairChannel(orgId, channelId, lastSeq, deleted);
    const channel = await this.repo.channel(orgId, channelId);
    await this.publishBadges(orgId, channel?.members.map((m) => m.userId) ?? [], channelId);
  }

  /**
   * The channel and the caller's row if they may act in it, else NOT_FOUND (ids leak nothing). The local
   * projection answers the common case; when it says no — it may lag by an event — the channels service
   * is asked once and the projection refreshed.
   */
  async requireMember(actor: Actor, channelId: string): Promise<{ channel: ChannelState; row: ReadState }> {
    const local = await this.memberView(actor, channelId);
    if (local) return local;
    const { channel } = await this.rpc.send(Rpc.ChannelsMembershipCheck, { orgId: actor.orgId, channelId });
    if (channel && channel.members.some((m) => m.userId === actor.userId)) {
      await this.repo.applySnapshot(actor.orgId, channel, 'current');
      const fresh = await this.memberView(actor, channelId);
      if (fresh) return fresh;
    }
    throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
  }

  private async memberView(actor: Actor, channelId: string): Promise<{ channel: ChannelState; row: ReadState } | null> {
    const [row, channel] = await Promise.all([this.repo.row(actor.orgId, channelId, actor.userId), this.repo.channel(actor.orgId, channelId)]);
    if (!row?.member || !channel || !visibleTo(actor.kind, channel.type)) return null;
    return { channel, row };
  }

  /** A patient's marker in a group reaches the team members only; every other marker, the whole channel. */
  private receiptAudience(actor: Actor, channel: ChannelState): string[] | null {
    if (actor.kind !== 'patient' || channel.type !== 'group') return null;
    return [...new Set([actor.userId, ...channel.members.filter((m) => m.kind === 'team_member').map((m) => m.userId)])];
  }

  onModuleDestroy(): Promise<void> {
    return this.flushBadges();
  }

  /** Announces, within BADGE_COALESCE_MS, the badges of these members of a channel that just had a message. */
  private queueBadges(orgId: string, channelId: string, userIds: string[]): void {
    if (!userIds.length) return;
    let byChannel = this.pendingBadges.get(orgId);
    if (!byChannel) this.pendingBadges.set(orgId, (byChannel = new Map()));
    let users = byChannel.get(channelId);
    if (!users) byChannel.set(channelId, (users = new Set()));
    for (const u of userIds) users.add(u);
    if (!this.badgeTimer) {
      this.badgeTimer = setTimeout(() => void this.flushBadges(), BADGE_COALESCE_MS);
      this.badgeTimer.unref();
    }
  }

  /**
   * Recomputes and announces every queued badge: per organisation, one event per BADGE_BATCH_USERS users, each
   * badge naming the channel whose message queued it. Flushes run one at a time, in order.
   */
  flushBadges(): Promise<void> {
    if (this.badgeTimer) clearTimeout(this.badgeTimer);
    this.badgeTimer = null;
    const batch = this.pendingBadges;
    this.pendingBadges = new Map();
    this.flushing = this.flushing.then(async () => {
      for (const [orgId, byChannel] of batch) {
        const users = [...new Set([...byChannel.values()].flatMap((set) => [...set]))];
        for (let i = 0; i < users.length; i += BADGE_BATCH_USERS) {
          const chunk = users.slice(i, i + BADGE_BATCH_USERS);
          try {
            const summaries = await this.summariesOf(orgId, chunk);
            const badges: UserBadge[] = [];
            for (const [channelId, members] of byChannel) {
              for (const userId of chunk) {
                if (!members.has(userId)) continue;
                const s = summaries.get(userId);
                badges.push({ userId, total: s?.total ?? 0, channelId, unread: s?.channels.find((c) => c.channelId === channelId)?.unread ?? 0 });
              }
            }
            await this.emit(Events.BadgeUpdated, orgId, { badges });
          } catch (err) {
            // Realtime only: the next change or the client's GET /v1/me/badge brings the right figure.
            this.logger.warn(`could not recompute ${chunk.length} badge(s): ${(err as Error).message}`);
          }
        }
      }
    });
    return this.flushing;
  }

  /** Recomputes these users' badges (three queries whatever their number) and announces them in one event. */
  async publishBadges(orgId: string, userIds: string[], channelId: string | null): Promise<void> {
    const users = [...new Set(userIds)];
    if (!users.length) return;
    const badges = await this.badgesOf(orgId, users, channelId);
    await this.emit(Events.BadgeUpdated, orgId, { badges });
  }

  async badgesOf(orgId: string, userIds: string[], channelId: string | null): Promise<UserBadge[]> {
    const summaries = await this.summariesOf(orgId, userIds);
    return userIds.map((userId) => {
      const s = summaries.get(userId);
      const line = channelId ? s?.channels.find((c) => c.channelId === channelId) : undefined;
      return { userId, total: s?.total ?? 0, channelId, unread: line?.unread ?? 0 };
    });
  }

  /** Each user's unread summary, in three queries whatever their number. */
  private async summariesOf(orgId: string, userIds: string[]): Promise<Map<string, UnreadSummary>> {
    const rows = await this.repo.rowsOfUsers(orgId, userIds);
    const [channels, stored] = await Promise.all([this.repo.channels(orgId, rows.map((r) => r.channelId)), this.settings.findMany(orgId, userIds)]);
    const byUser = new Map<string, ReadState[]>();
    for (const r of rows) {
      const own = byUser.get(r.userId);
      if (own) own.push(r);
      else byUser.set(r.userId, [r]);
    }
    return new Map(
      userIds.map((userId) => {
        const own = byUser.get(userId) ?? [];
        const kind = own[0]?.kind ?? 'team_member';
        return [userId, summarise(kind, own, channels, effectiveSettings(userId, stored.get(userId), this.config).muted)] as const;
      }),
    );
  }

  /** Realtime only: a lost badge event is repaired by the next change or the client's GET /v1/me/badge. */
  private async emit<K extends EventName>(type: K, orgId: string, data: EventPayloads[K]): Promise<void> {
    try {
      await this.publisher.publish(type, data, { orgId });
    } catch (err) {
      this.logger.warn(`could not publish ${type}: ${(err as Error).message}`);
    }
  }
}
