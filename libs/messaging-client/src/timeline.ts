import type { MessageView } from '@wellifiy/contracts';

/**
 * One channel's message stream as the client delivers it: every message exactly once (deduplicated by id),
 * in seq order, with no gap. Live events may arrive twice, out of order, or after a hole (a dropped
 * connection); they are held until the messages before them are known. A page fetched with
 * `GET …/messages?after=` is authoritative for its range: a seq it skips does not exist (e.g. a send that
 * failed after its seq was taken) and is not waited for.
 */
export class ChannelTimeline {
  /** Highest seq delivered; every message up to it has been delivered (or does not exist). */
  private delivered: number;
  private readonly held = new Map<number, MessageView>();
  private readonly seenIds = new Set<string>();
  /** Keeps memory bounded in long sessions: ids older than this many deliveries are forgotten (their seq still dedupes). */
  private readonly idWindow: string[] = [];

  constructor(
    readonly channelId: string,
    /** The seq the caller already holds (0: nothing yet). */
    lastSeq: number,
    private readonly maxRememberedIds = 5000,
  ) {
    this.delivered = lastSeq;
  }

  get lastSeq(): number {
    return this.delivered;
  }

  /** True while live messages are held behind a missing seq: a catch-up fetch is needed. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** Live messages (realtime `message.created`): returns the ones now deliverable, in seq order. */
  receive(messages: readonly MessageView[]): MessageView[] {
    for (const m of messages) this.hold(m);
    return this.drain(this.delivered);
  }

  /**
   * A page of `GET …/messages?after=<from>`, ascending. Returns what is now deliverable, in order. Seqs the
   * page skips up to its last message are known not to exist.
   */
  receivePage(from: number, messages: readonly MessageView[]): MessageView[] {
    for (const m of messages) this.hold(m);
    const last = messages.reduce((max, m) => (m.channelId === this.channelId ? Math.max(max, m.seq) : max), from);
    // The page covers (from, last]; it says nothing of seqs before `from` that were never delivered.
    return this.drain(from <= this.delivered ? last : this.delivered);
  }

  private hold(m: MessageView): void {
    if (m.channelId !== this.channelId) return;
    if (m.seq <= this.delivered || this.seenIds.has(m.id) || this.held.has(m.seq)) return;
    this.held.set(m.seq, m);
  }

  /** Delivers held messages: all of them up to `authoritativeUpTo` (holes there do not exist), then while contiguous. */
  private drain(authoritativeUpTo: number): MessageView[] {
    const out: MessageView[] = [];
    for (const [seq, m] of [...this.held.entries()].sort(([a], [b]) => a - b)) {
      if (seq > authoritativeUpTo && seq !== Math.max(this.delivered, authoritativeUpTo) + 1) break;
      this.held.delete(seq);
      this.delivered = seq;
      this.remember(m.id);
      out.push(m);
    }
    this.delivered = Math.max(this.delivered, authoritativeUpTo);
    return out;
  }

  private remember(id: string): void {
    this.seenIds.add(id);
    this.idWindow.push(id);
    const forgotten = this.idWindow.length > this.maxRememberedIds ? this.idWindow.shift() : undefined;
    if (forgotten !== undefined) this.seenIds.delete(forgotten);
  }
}
