import { ChannelCounter, MemberPosition, planDigest, readMarker, summarise, unreadAfter } from './unread';

const channel = (id: string, lastSeq: number, deleted: number[] = [], type: ChannelCounter['type'] = 'care_team'): ChannelCounter => ({
  id, type, lastSeq, deleted: deleted.map((seq) => ({ seq, senderId: 'someone' })), sent: new Map(),
});
const at = (channelId: string, readSeq: number, more: Partial<MemberPosition> = {}): MemberPosition => ({
  channelId, userId: 'u1', readSeq, digestSeq: 0, archived: false, ...more,
});

describe('unread arithmetic (channel total vs the member position at last read)', () => {
  it('counts the messages after the marker', () => {
    expect(unreadAfter(channel('c', 10), 4)).toBe(6);
    expect(unreadAfter(channel('c', 10), 10)).toBe(0);
  });

  it('a marker beyond the last known seq is never negative', () => {
    expect(unreadAfter(channel('c', 3), 9)).toBe(0);
  });

  it('deleted messages after the marker stop counting; deleted ones already read change nothing', () => {
    expect(unreadAfter(channel('c', 10, [2, 6, 9]), 4)).toBe(4);
    expect(unreadAfter(channel('c', 10, [1, 2, 3]), 4)).toBe(6);
  });

  it('a deletion recorded before its message arrived (above the last seq) does not count yet', () => {
    expect(unreadAfter(channel('c', 5, [7]), 0)).toBe(5);
  });

  it("a member's marker is the further of their read and their own newest message, with that one's time", () => {
    const sentAt = new Date('2026-01-01T10:00:05Z');
    const readAt = new Date('2026-01-01T10:00:09Z');
    const c = { ...channel('c', 10), sent: new Map([['u1', { seq: 5, at: sentAt }]]) };
    expect(readMarker(c, { userId: 'u1', readSeq: 3, readAt })).toEqual({ readSeq: 5, readAt: sentAt });
    expect(readMarker(c, { userId: 'u1', readSeq: 7, readAt })).toEqual({ readSeq: 7, readAt });
    expect(readMarker(c, { userId: 'u2', readSeq: 2, readAt: null })).toEqual({ readSeq: 2, readAt: null });
    expect(summarise('team_member', [at('c', 3)], new Map([['c', c]]), new Set()).total).toBe(5);
    expect(planDigest('team_member', [at('c', 3)], new Map([['c', c]]), new Set()).unread).toBe(5);
  });

  it('the badge sums the channels that are neither archived nor muted; those keep their own count', () => {
    const channels = new Map([['a', channel('a', 5)], ['b', channel('b', 7)], ['c', channel('c', 2)]]);
    const s = summarise('team_member', [at('a', 1), at('b', 0, { archived: true }), at('c', 0)], channels, new Set(['c']));
    expect(s).toEqual({
      total: 4,
      channels: [
        { channelId: 'a', unread: 4, muted: false, archived: false },
        { channelId: 'b', unread: 7, muted: false, archived: true },
        { channelId: 'c', unread: 2, muted: true, archived: false },
      ],
    });
  });

  it('rule 2: a patient never gets a count for a staff or dm channel, even with a stray row', () => {
    const channels = new Map([['s', channel('s', 5, [], 'staff')], ['d', channel('d', 5, [], 'dm')], ['g', channel('g', 5, [], 'group')]]);
    expect(summarise('patient', [at('s', 0), at('d', 0), at('g', 0)], channels, new Set())).toEqual({
      total: 5, channels: [{ channelId: 'g', unread: 5, muted: false, archived: false }],
    });
  });

  it('a channel whose counters are not known yet is left out', () => {
    expect(summarise('team_member', [at('x', 0)], new Map(), new Set())).toEqual({ total: 0, channels: [] });
  });
});

describe('digest decisions', () => {
  const channels = new Map([['a', channel('a', 10, [9])], ['b', channel('b', 4)], ['c', channel('c', 6)]]);

  it('counts what is above both the read marker and the last digest, over notifying channels, and covers up to each last seq', () => {
    const plan = planDigest('team_member', [at('a', 2, { digestSeq: 5 }), at('b', 1), at('c', 0, { archived: true })], channels, new Set());
    expect(plan).toEqual({ unread: 4 + 3, channelCount: 2, covered: [{ channelId: 'a', seq: 10 }, { channelId: 'b', seq: 4 }] });
  });

  it('never the same unread messages twice: after a digest covered them, nothing is left to send', () => {
    const plan = planDigest('team_member', [at('a', 2, { digestSeq: 10 }), at('b', 1, { digestSeq: 4 })], channels, new Set());
    expect(plan).toEqual({ unread: 0, channelCount: 0, covered: [] });
  });

  it('read before the digest fired: nothing to send', () => {
    expect(planDigest('patient', [at('b', 4)], channels, new Set()).unread).toBe(0);
  });

  it('muted channels are not emailed about', () => {
    expect(planDigest('team_member', [at('b', 0), at('c', 0)], channels, new Set(['c']))).toEqual({
      unread: 4, channelCount: 1, covered: [{ channelId: 'b', seq: 4 }],
    });
  });
});
