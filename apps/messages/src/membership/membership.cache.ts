import { ChannelSnapshot } from '@wellifiy/contracts';
import { ChannelMembership } from './membership.repository';

/** How long a cached membership is used at most (the backstop should a channel event never reach the process). */
export const MEMBERSHIP_CACHE_TTL_MS = 10_000;
export const MEMBERSHIP_CACHE_MAX_ENTRIES = 10_000;

export interface MembershipCacheOptions {
  /** How long an entry is used at most; bounds how stale it can be should a channel event never reach this process. */
  ttlMs: number;
  /** Entries kept at most (the oldest go first); also bounds the versions remembered for channels not cached. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  membership: ChannelMembership;
  storedAt: number;
}

const key = (orgId: string, channelId: string): string => `${orgId}\u0000${channelId}`;

/** The projection's shape of a channel event's snapshot. */
export function membershipOf(orgId: string, s: ChannelSnapshot): ChannelMembership {
  return { id: s.id, orgId, type: s.type, patientId: s.patientId ?? null, members: s.members.map((m) => ({ userId: m.userId, kind: m.kind })), version: s.version };
}

/**
 * This process's copy of the membership projection, so that a send or a page does not read the channel's
 * membership from the database each time.
 *
 * It is only as current as what this process hears: every channel event reaches it on a queue of its own
 * (`MembershipFeed`), and `observe` replaces an older entry with the event's snapshot — at about the moment the
 * replica that consumes the service queue writes the same snapshot to the projection. A version seen in an event is
 * remembered, so a read of the projection that is older than what the process has heard (the projection write
 * still on its way) is used for that call but never cached. While the feed is not connected nothing is served
 * from here, and after it reconnects (events published in between reached the service queue only) nothing is
 * cached for one `ttlMs`, after which every entry was loaded after the projection had caught up or has expired.
 */
export class MembershipCache {
  private readonly entries = new Map<string, Entry>();
  private readonly seen = new Map<string, number>();
  private live = false;
  private cacheableFrom = 0;
  private readonly now: () => number;

  constructor(private readonly opts: MembershipCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The cached membership, if it is current enough to use. */
  get(orgId: string, channelId: string): ChannelMembership | undefined {
    if (!this.live) return undefined;
    const k = key(orgId, channelId);
    const entry = this.entries.get(k);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.opts.ttlMs) {
      this.entries.delete(k);
      return undefined;
    }
    return entry.membership;
  }

  /** Keeps what was read from the projection or the channels service, unless an event already said something newer. */
  put(m: ChannelMembership): void {
    if (!this.live || this.now() < this.cacheableFrom) return;
    const k = key(m.orgId, m.id);
    if (m.version < (this.seen.get(k) ?? -Infinity)) return;
    const current = this.entries.get(k);
    if (current && current.membership.version > m.version) return;
    this.store(k, m);
  }

  /** A channel event: remembers its version and replaces an older cached entry with its snapshot. */
  observe(orgId: string, snapshot: ChannelSnapshot): void {
    const k = key(orgId, snapshot.id);
    if (snapshot.version > (this.seen.get(k) ?? -Infinity)) {
      this.seen.delete(k);
      this.seen.set(k, snapshot.version);
      this.trim(this.seen);
    }
    const current = this.entries.get(k);
    if (current && current.membership.version < snapshot.version) this.store(k, membershipOf(orgId, snapshot));
  }

  /** The feed's queue is bound (again): events reach this process from now on. */
  connected(): void {
    const reconnect = this.cacheableFrom !== 0 || this.entries.size > 0;
    this.entries.clear();
    this.live = true;
    this.cacheableFrom = reconnect ? this.now() + this.opts.ttlMs : this.now();
  }

  /** The feed lost its broker connection or channel: events may be missed until it is bound again. */
  disconnected(): void {
    this.live = false;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(k: string, membership: ChannelMembership): void {
    this.entries.delete(k);
    this.entries.set(k, { membership, storedAt: this.now() });
    this.trim(this.entries);
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.opts.maxEntries) map.delete(map.keys().next().value as string);
  }
}
