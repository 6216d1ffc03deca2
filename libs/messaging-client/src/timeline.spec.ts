import type { MessageView } from '@wellifiy/contracts';
import { ChannelTimeline } from './timeline';

const msg = (seq: number, channelId = 'ch_1'): MessageView => ({
  id: `msg_${channelId}_${seq}`, channelId, seq, senderId: 'u1', senderKind: 'team_member', clientMessageId: `c-${seq}`, body: `m${seq}`, createdAt: '2026-01-01T00:00:00Z',
});
const seqs = (ms: MessageView[]): number[] => ms.map((m) => m.seq);

describe('ChannelTimeline (seq merge and dedupe)', () => {
  it('delivers live messages in seq order as they come when there is no gap', () => {
    const t = new ChannelTimeline('ch_1', 0);
    expect(seqs(t.receive([msg(1)]))).toEqual([1]);
    expect(seqs(t.receive([msg(2)]))).toEqual([2]);
    expect(t.lastSeq).toBe(2);
    expect(t.hasGap).toBe(false);
  });

  it('drops a message delivered twice (by id and by seq)', () => {
    const t = new ChannelTimeline('ch_1', 0);
    t.receive([msg(1), msg(2)]);
    expect(t.receive([msg(2)])).toEqual([]);
    expect(t.receive([msg(1)])).toEqual([]);
    expect(t.receivePage(0, [msg(1), msg(2)])).toEqual([]);
  });

  it('holds a message that arrives after a hole until the hole is filled, then delivers in order', () => {
    const t = new ChannelTimeline('ch_1', 3);
    expect(t.receive([msg(6)])).toEqual([]);
    expect(t.hasGap).toBe(true);
    expect(seqs(t.receive([msg(4)]))).toEqual([4]);
    expect(seqs(t.receive([msg(5)]))).toEqual([5, 6]);
    expect(t.hasGap).toBe(false);
  });

  it('a catch-up page fills the gap: missed messages and held live ones come out once each, in seq order', () => {
    const t = new ChannelTimeline('ch_1', 2);
    t.receive([msg(7), msg(5)]); // live events after a reconnect, out of order
    const out = t.receivePage(2, [msg(3), msg(4), msg(5), msg(6), msg(7)]);
    expect(seqs(out)).toEqual([3, 4, 5, 6, 7]);
    expect(t.lastSeq).toBe(7);
    expect(t.hasGap).toBe(false);
  });

  it('a seq the page skips does not exist and is not waited for (a send that failed after taking its seq)', () => {
    const t = new ChannelTimeline('ch_1', 1);
    expect(seqs(t.receivePage(1, [msg(2), msg(4)]))).toEqual([2, 4]);
    expect(seqs(t.receive([msg(5)]))).toEqual([5]);
  });

  it('a page does not vouch for seqs before the point it was fetched from', () => {
    const t = new ChannelTimeline('ch_1', 1);
    expect(t.receivePage(5, [msg(6)])).toEqual([]);
    expect(t.hasGap).toBe(true);
  });

  it('an empty page keeps live messages held behind a hole (they may be newer than the read)', () => {
    const t = new ChannelTimeline('ch_1', 2);
    t.receive([msg(4)]);
    expect(t.receivePage(2, [])).toEqual([]);
    expect(t.hasGap).toBe(true);
  });

  it('ignores messages of other channels', () => {
    const t = new ChannelTimeline('ch_1', 0);
    expect(t.receive([msg(1, 'ch_2')])).toEqual([]);
    expect(t.hasGap).toBe(false);
  });

  it('many pages in a row deliver every message exactly once', () => {
    const t = new ChannelTimeline('ch_1', 0);
    const all: number[] = [];
    for (let from = 0; from < 300; from += 100) {
      const page = Array.from({ length: 100 }, (_, i) => msg(from + i + 1));
      all.push(...seqs(t.receivePage(t.lastSeq, page)));
      all.push(...seqs(t.receive([msg(from + 50)]))); // a duplicate live event between pages
    }
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
