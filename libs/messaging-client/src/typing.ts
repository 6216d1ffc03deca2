/** At most one typing signal per channel per interval (the gateway relays at most one a second anyway). */
export class TypingThrottle {
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True when a signal for this channel should go out now (and records it). */
  shouldSend(channelId: string, now: number): boolean {
    const last = this.lastSent.get(channelId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastSent.set(channelId, now);
    return true;
  }

  /** After a message is sent the user stopped typing: the next keystroke signals again at once. */
  reset(channelId: string): void {
    this.lastSent.delete(channelId);
  }
}
