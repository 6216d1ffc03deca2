import type { ChannelListItem, ChannelView, UnreadSummary } from '@wellifiy/contracts';
import { ChannelStore, initialChannelListState, reduceChannelList, selectChannels } from './channel-store';

const view = (id: string, extra: Partial<ChannelView> = {}): ChannelView => ({
  id, orgId: 'org_1', type: 'care_team', patientId: 'pt_1', name: null, needsStaffing: false, archived: false,
  members: [{ userId: 'me', kind: 'team_member' }, { userId: 'pt_1', kind: 'patient' }],
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...extra,
});
const item = (id: string, unreadCount: number | null, extra: Partial<ChannelView> = {}): ChannelListItem => ({ ...view(id, extra), unreadCount });
const summary = (total: number, channels: [string, number][]): UnreadSummary => ({
  total, channels: channels.map(([channelId, unread]) => ({ channelId, unread, muted: false, archived: false })),
});

const synced = reduceChannelList(initialChannelListState, {
  type: 'synced', channels: [item('a', 1), item('b', 0), item('c', null)], summary: summary(3, [['a', 2], ['b', 1]]),
});

describe('channel list reducer', () => {
  it('a sync replaces the list; unread counts come from the badge summary (newer than the list), the badge is its total', () => {
    expect(synced.synced).toBe(true);
    expect(synced.badge).toBe(3);
    expect(synced.channels.a.unreadCount).toBe(2);
    expect(synced.channels.b.unreadCount).toBe(1);
    expect(synced.channels.c.unreadCount).toBe(0); // unreadCount null (service down) and not in the summary
  });

  it('a sync drops channels the server no longer lists (left or removed while offline)', () => {
    const next = reduceChannelList(synced, { type: 'synced', channels: [item('a', 0)], summary: summary(0, []) });
    expect(Object.keys(next.channels)).toEqual(['a']);
  });

  it('badge.updated sets the total and the channel it names', () => {
    const next = reduceChannelList(synced, { type: 'badge.updated', payload: { total: 7, channelId: 'b', unread: 5 } });
    expect(next.badge).toBe(7);
    expect(next.channels.b.unreadCount).toBe(5);
    expect(next.channels.a.unreadCount).toBe(2);
  });

  it('badge.updated without a channel (several changed, e.g. archive) sets only the total', () => {
    const next = reduceChannelList(synced, { type: 'badge.updated', payload: { total: 1, channelId: null, unread: 0 } });
    expect(next.badge).toBe(1);
    expect(next.channels.a.unreadCount).toBe(2);
  });

  it('a read on this device applies its answer: the channel count and the badge', () => {
    const next = reduceChannelList(synced, { type: 'read', result: { channelId: 'a', readSeq: 9, unread: 0, total: 1 } });
    expect(next.channels.a.unreadCount).toBe(0);
    expect(next.badge).toBe(1);
  });

  it('archive state moves the channel between the active and archived lists', () => {
    const next = reduceChannelList(synced, { type: 'channel.archive', channelId: 'a', archived: true });
    expect(selectChannels(next, { archived: true }).map((c) => c.id)).toEqual(['a']);
    expect(selectChannels(next, { archived: false }).map((c) => c.id).sort()).toEqual(['b', 'c']);
  });

  it('member events change membership; an older version than the one applied is ignored', () => {
    let s = reduceChannelList(synced, { type: 'member.added', payload: { channelId: 'a', userId: 'tm_2', kind: 'team_member', version: 5 } });
    expect(s.channels.a.members.map((m) => m.userId)).toContain('tm_2');
    s = reduceChannelList(s, { type: 'member.removed', payload: { channelId: 'a', userId: 'tm_2', version: 4 }, me: 'me' });
    expect(s.channels.a.members.map((m) => m.userId)).toContain('tm_2');
    s = reduceChannelList(s, { type: 'member.removed', payload: { channelId: 'a', userId: 'tm_2', version: 6 }, me: 'me' });
    expect(s.channels.a.members.map((m) => m.userId)).not.toContain('tm_2');
  });

  it('when I am the one removed, the channel leaves my list', () => {
    const s = reduceChannelList(synced, { type: 'member.removed', payload: { channelId: 'a', userId: 'me', version: 9 }, me: 'me' });
    expect(s.channels.a).toBeUndefined();
  });

  it('a channel snapshot updates membership and staffing, never with an older version', () => {
    const snap = { id: 'a', type: 'care_team' as const, patientId: 'pt_1', members: [{ userId: 'pt_1', kind: 'patient' as const }], needsStaffing: true, version: 3 };
    let s = reduceChannelList(synced, { type: 'channel.snapshot', channel: snap });
    expect(s.channels.a).toMatchObject({ needsStaffing: true, version: 3 });
    s = reduceChannelList(s, { type: 'channel.snapshot', channel: { ...snap, needsStaffing: false, version: 2 } });
    expect(s.channels.a.needsStaffing).toBe(true);
  });

  it('an upsert of a known channel keeps its unread count', () => {
    const s = reduceChannelList(synced, { type: 'channel.upserted', channel: view('a', { name: 'renamed' }) });
    expect(s.channels.a).toMatchObject({ name: 'renamed', unreadCount: 2 });
    const added = reduceChannelList(s, { type: 'channel.upserted', channel: view('d') });
    expect(added.channels.d.unreadCount).toBe(0);
  });

  it('per-channel events for an unknown channel leave the state as it was', () => {
    expect(reduceChannelList(synced, { type: 'channel.archive', channelId: 'zz', archived: true })).toBe(synced);
    expect(reduceChannelList(synced, { type: 'member.added', payload: { channelId: 'zz', userId: 'x', kind: 'patient', version: 1 } })).toBe(synced);
  });

  it('lists most recently changed first', () => {
    const s = reduceChannelList(initialChannelListState, {
      type: 'synced',
      channels: [item('old', 0, { updatedAt: '2026-01-01T00:00:00Z' }), item('new', 0, { updatedAt: '2026-02-01T00:00:00Z' })],
      summary: summary(0, []),
    });
    expect(selectChannels(s).map((c) => c.id)).toEqual(['new', 'old']);
  });
});

describe('ChannelStore', () => {
  it('notifies subscribers on change only, and stops after unsubscribe', () => {
    const store = new ChannelStore();
    const seen: number[] = [];
    const off = store.subscribe((s) => seen.push(s.badge));
    store.dispatch({ type: 'synced', channels: [item('a', 0)], summary: summary(2, [['a', 2]]) });
    store.dispatch({ type: 'channel.archive', channelId: 'nope', archived: true }); // no change
    store.dispatch({ type: 'badge.updated', payload: { total: 3, channelId: 'a', unread: 3 } });
    off();
    store.dispatch({ type: 'badge.updated', payload: { total: 4, channelId: 'a', unread: 4 } });
    expect(seen).toEqual([2, 3]);
    expect(store.getState().badge).toBe(4);
  });
});
