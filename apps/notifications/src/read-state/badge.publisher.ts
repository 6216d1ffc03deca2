import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventName, EventPayloads, Events, UnreadSummary, UserBadge } from '@wellifiy/contracts';
import { EventPublisher } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { ChannelState, ReadState, ReadStateRepository } from './read-state.repository';
import { summarise } from './unread';

/**
 * How long the badges a message changes wait for others to join them. Badges of every message arriving in the
 * window are recomputed together — a few queries per batch instead of per message — so their cost does not grow
 * with the message rate or the number of members of busy channels.
 */
export const BADGE_COALESCE_MS = 100;
/** Users recomputed per query. */
const BADGE_BATCH_USERS = 500;

/**
 * Announces users' badges (`badge.updated`, realtime only): at once for a read, an archive, a mute or a
 * membership change, coalesced over BADGE_COALESCE_MS for new messages. A lost event is repaired by the next
 * change or the client's GET /v1/me/badge.
 */
@Injectable()
export class BadgePublisher implements OnModuleDestroy {
  private readonly logger = new Logger('Badges');
  /**
   * orgId → channelId → members whose badge a message changed, waiting for the next flush, and the channel's
   * counters as this process's own writes returned them (null: read them again at the flush).
   */
  private pending = new Map<string, Map<string, { members: Set<string>; channel: ChannelState | null }>>();
  private timer: NodeJS.Timeout | null = null;
  /** The flush running now, and the one that will take what is queued meanwhile (at most one waits). */
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly repo: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly publisher: EventPublisher,
    private readonly config: NotificationsConfig,
  ) {}

  onModuleDestroy(): Promise<void> {
    return this.flush();
  }

  /**
   * Announces, within BADGE_COALESCE_MS, the badges of the members of a channel that just had a message, from
   * the channel as its write returned it: the flush reads only the members' other channels.
   */
  queue(orgId: string, channel: ChannelState): void {
    if (!channel.members.length) return;
    let byChannel = this.pending.get(orgId);
    if (!byChannel) this.pending.set(orgId, (byChannel = new Map()));
    const entry = byChannel.get(channel.id);
    if (!entry) byChannel.set(channel.id, { members: new Set(channel.members.map((m) => m.userId)), channel });
    else {
      for (const m of channel.members) entry.members.add(m.userId);
      if (entry.channel) entry.channel = latest(entry.channel, channel);
    }
    // While a flush runs, what arrives waits for it to end and then goes out in one batch (see flush).
    if (!this.timer && !this.running) {
      this.timer = setTimeout(() => void this.flush(), BADGE_COALESCE_MS);
      this.timer.unref();
    }
  }

  /**
   * Recomputes and announces every badge queued so far, resolving when they are out. One flush runs at a time: what
   * is queued while one runs goes out in a single batch as soon as it ends, so a flush slower than BADGE_COALESCE_MS
   * (a loaded database) makes batches larger instead of queueing a flush per window behind it. A shutdown's flush
   * therefore waits for at most two batches, however long the load goes on meanwhile.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return (this.running = this.runBatch());
    return (this.next ??= this.running.then(() => {
      this.next = null;
      return (this.running = this.runBatch());
    }));
  }

  private runBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const run: Promise<void> = this.announceBatch(batch).finally(() => {
      if (this.running === run) this.running = null;
      if (this.pending.size && !this.next) void this.flush();
    });
    return run;
  }

  /** Per organisation, one event per BADGE_BATCH_USERS users, each badge naming the channel whose message queued it. */
  private async announceBatch(batch: Map<string, Map<string, { members: Set<string>; channel: ChannelState | null }>>): Promise<void> {
    for (const [orgId, byChannel] of batch) {
      const users = [...new Set([...byChannel.values()].flatMap((e) => [...e.members]))];
      const held = new Map<string, ChannelState>();
      for (const [channelId, e] of byChannel) if (e.channel) held.set(channelId, e.channel);
      for (let i = 0; i < users.length; i += BADGE_BATCH_USERS) {
        const chunk = users.slice(i, i + BADGE_BATCH_USERS);
        try {
          const summaries = await this.summariesOf(orgId, chunk, held);
          const badges: UserBadge[] = [];
          for (const [channelId, { members }] of byChannel) {
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
  }

  /**
   * Recomputes these users' badges (three queries whatever their number) and announces them in one event. A
   * channel that changed this way (membership, deletion, repair) is read again by the next flush too.
   */
  async publish(orgId: string, userIds: string[], channelId: string | null): Promise<void> {
    const queued = channelId ? this.pending.get(orgId)?.get(channelId) : undefined;
    if (queued) queued.channel = null;
    const users = [...new Set(userIds)];
    if (!users.length) return;
    const badges = await this.badgesOf(orgId, users, channelId);
    await this.announce(orgId, badges);
  }

  /** Announces badges already computed (a read marker's move knows its reader's new figures). */
  announce(orgId: string, badges: UserBadge[]): Promise<void> {
    return this.emit(Events.BadgeUpdated, orgId, { badges });
  }

  async badgesOf(orgId: string, userIds: string[], channelId: string | null): Promise<UserBadge[]> {
    const summaries = await this.summariesOf(orgId, userIds);
    return userIds.map((userId) => {
      const s = summaries.get(userId);
      const line = channelId ? s?.channels.find((c) => c.channelId === channelId) : undefined;
      return { userId, total: s?.total ?? 0, channelId, unread: line?.unread ?? 0 };
    });
  }

  /**
   * Each user's unread summary, in three queries whatever their number; channels in `held` (as this process's
   * writes returned them) are not read again.
   */
  private async summariesOf(orgId: string, userIds: string[], held: ReadonlyMap<string, ChannelState> = new Map()): Promise<Map<string, UnreadSummary>> {
    const rows = await this.repo.rowsOfUsers(orgId, userIds);
    const others = rows.map((r) => r.channelId).filter((id) => !held.has(id));
    const [read, stored] = await Promise.all([this.repo.channels(orgId, others), this.settings.findMany(orgId, userIds)]);
    const channels = new Map([...read, ...held]);
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

  private async emit<K extends EventName>(type: K, orgId: string, data: EventPayloads[K]): Promise<void> {
    try {
      await this.publisher.publish(type, data, { orgId });
    } catch (err) {
      this.logger.warn(`could not publish ${type}: ${(err as Error).message}`);
    }
  }
}

/**
 * Two states of one channel returned by writes that may have completed in either order: every counter only
 * moves forward (a repair re-reads instead, see publish), so the later state holds the larger of each.
 */
function latest(a: ChannelState, b: ChannelState): ChannelState {
  const [older, newer] = a.version > b.version ? [b, a] : [a, b];
  const sent = new Map(older.sent);
  for (const [userId, m] of newer.sent) if ((sent.get(userId)?.seq ?? 0) < m.seq) sent.set(userId, m);
  const deleted = new Map([...older.deleted, ...newer.deleted].map((d) => [d.seq, d]));
  return { ...newer, lastSeq: Math.max(a.lastSeq, b.lastSeq), deleted: [...deleted.values()], sent };
}
