import type {
  BadgeUpdatedPayload, ChannelListItem, ChannelSnapshot, ChannelView, MarkReadResult, MemberAddedPayload, MemberRemovedPayload, UnreadSummary,
} from '@wellifiy/contracts';

/** One channel in the list: the view, its unread count and (when a snapshot told us) its membership version. */
export interface ChannelEntry extends ChannelView {
  unreadCount: number;
  /** Membership version of the newest snapshot applied (older events are ignored). */
  version?: number;
}

export interface ChannelListState {
  /** By channel id. */
  channels: Readonly<Record<string, ChannelEntry>>;
  /** Total unread over my non-archived, non-muted channels, as the notifications service counts it. */
  badge: number;
  /** False until the first `GET /v1/channels` + `GET /v1/me/badge` arrived. */
  synced: boolean;
}

export type ChannelListAction =
  /** A fresh list and summary (first load, and after every reconnect): replaces everything. */
  | { type: 'synced'; channels: readonly ChannelListItem[]; summary: UnreadSummary }
  | { type: 'badge.updated'; payload: BadgeUpdatedPayload }
  /** The summary alone (re-read when badge events raced a sync). */
  | { type: 'summary'; summary: UnreadSummary }
  | { type: 'read'; result: MarkReadResult }
  /** A full view (created, fetched, or returned by a REST call). */
  | { type: 'channel.upserted'; channel: ChannelView }
  | { type: 'channel.snapshot'; channel: ChannelSnapshot }
  | { type: 'channel.archive'; channelId: string; archived: boolean }
  | { type: 'member.added'; payload: MemberAddedPayload }
  /** `me`: whose list this is — when it is me who was removed, the channel leaves the list. */
  | { type: 'member.removed'; payload: MemberRemovedPayload; me: string }
  | { type: 'channel.removed'; channelId: string };

export const initialChannelListState: ChannelListState = { channels: {}, badge: 0, synced: false };

/** Pure: the next state. Unknown channels in per-channel events are ignored (the client fetches them). */
export function reduceChannelList(state: ChannelListState, action: ChannelListAction): ChannelListState {
  switch (action.type) {
    case 'synced': {
      const unread = new Map(action.summary.channels.map((c) => [c.channelId, c.unread]));
      const channels: Record<string, ChannelEntry> = {};
      for (const c of action.channels) {
        const { unreadCount, ...view } = c;
        channels[c.id] = { ...view, unreadCount: unread.get(c.id) ?? unreadCount ?? 0 };
      }
      return { channels, badge: action.summary.total, synced: true };
    }
    case 'summary': {
      const channels = { ...state.channels };
      for (const c of action.summary.channels) if (channels[c.channelId]) channels[c.channelId] = { ...channels[c.channelId], unreadCount: c.unread };
      return { ...state, channels, badge: action.summary.total };
    }
    case 'badge.updated': {
      const { total, channelId, unread } = action.payload;
      const entry = channelId ? state.channels[channelId] : undefined;
      return {
        ...state,
        badge: total,
        channels: entry && channelId ? { ...state.channels, [channelId]: { ...entry, unreadCount: unread } } : state.channels,
      };
    }
    case 'read': {
      const { channelId, unread, total } = action.result;
      const entry = state.channels[channelId];
      return { ...state, badge: total, channels: entry ? { ...state.channels, [channelId]: { ...entry, unreadCount: unread } } : state.channels };
    }
    case 'channel.upserted': {
      const existing = state.channels[action.channel.id];
      const entry: ChannelEntry = { ...action.channel, unreadCount: existing?.unreadCount ?? 0, ...(existing?.version !== undefined ? { version: existing.version } : {}) };
      return { ...state, channels: { ...state.channels, [entry.id]: entry } };
    }
    case 'channel.snapshot': {
      const s = action.channel;
      const entry = state.channels[s.id];
      if (!entry || (entry.version ?? 0) >= s.version) return state;
      return {
        ...state,
        channels: { ...state.channels, [s.id]: { ...entry, type: s.type, patientId: s.patientId ?? null, members: s.members, needsStaffing: s.needsStaffing, version: s.version } },
      };
    }
    case 'channel.archive': {
      const entry = state.channels[action.channelId];
      if (!entry || entry.archived === action.archived) return state;
      return { ...state, channels: { ...state.channels, [action.channelId]: { ...entry, archived: action.archived } } };
    }
    case 'member.added': {
      const { channelId, userId, kind, version } = action.payload;
      const entry = state.channels[channelId];
      if (!entry || (entry.version ?? 0) >= version) return state;
      const members = entry.members.some((m) => m.userId === userId) ? entry.members : [...entry.members, { userId, kind }];
      return { ...state, channels: { ...state.channels, [channelId]: { ...entry, members, version } } };
    }
    case 'member.removed': {
      const { channelId, userId, version } = action.payload;
      if (userId === action.me) return withoutChannel(state, channelId);
      const entry = state.channels[channelId];
      if (!entry || (entry.version ?? 0) >= version) return state;
      return { ...state, channels: { ...state.channels, [channelId]: { ...entry, members: entry.members.filter((m) => m.userId !== userId), version } } };
    }
    case 'channel.removed':
      return withoutChannel(state, action.channelId);
  }
}

function withoutChannel(state: ChannelListState, channelId: string): ChannelListState {
  if (!state.channels[channelId]) return state;
  const { [channelId]: _removed, ...channels } = state.channels;
  return { ...state, channels };
}

/** The list as a UI shows it: active or archived channels, most recently changed first. */
export function selectChannels(state: ChannelListState, opts: { archived?: boolean } = {}): ChannelEntry[] {
  return Object.values(state.channels)
    .filter((c) => opts.archived === undefined || c.archived === opts.archived)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id.localeCompare(b.id)));
}

export type StoreListener<S> = (state: S) => void;

/** The channel list and badge, framework-free: `getState()`, `subscribe(listener)` (returns unsubscribe). */
export class ChannelStore {
  private state: ChannelListState = initialChannelListState;
  private readonly listeners = new Set<StoreListener<ChannelListState>>();

  getState(): ChannelListState {
    return this.state;
  }

  subscribe(listener: StoreListener<ChannelListState>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispatch(action: ChannelListAction): void {
    const next = reduceChannelList(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.listeners]) l(next);
  }

  channel(channelId: string): ChannelEntry | undefined {
    return this.state.channels[channelId];
  }

  list(opts: { archived?: boolean } = {}): ChannelEntry[] {
    return selectChannels(this.state, opts);
  }
}
