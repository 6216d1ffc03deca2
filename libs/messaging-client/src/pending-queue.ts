/** A message waiting to be sent (or re-sent under the same clientMessageId). */
export interface PendingSend {
  clientMessageId: string;
  channelId: string;
  body: string;
  attachments?: string[];
  /** Set for a thread reply: the root message's id. */
  threadRootId?: string;
  /** Attempts made so far. */
  attempts: number;
  queuedAt: number;
}

/**
 * Messages not yet acknowledged by the gateway, oldest first. Sends leave strictly in the order they were
 * queued, one at a time, so a recipient sees them in the order they were written; each keeps its
 * clientMessageId across retries, so a retry whose first attempt did arrive gives the original message.
 */
export class PendingQueue {
  private readonly items: PendingSend[] = [];

  get size(): number {
    return this.items.length;
  }

  /** A copy, oldest first. */
  list(): PendingSend[] {
    return this.items.map((i) => ({ ...i }));
  }

  /** Queues a send; the same clientMessageId twice is one entry (a double tap sends once). */
  enqueue(item: Omit<PendingSend, 'attempts' | 'queuedAt'>, now: number = Date.now()): PendingSend {
    const existing = this.items.find((i) => i.clientMessageId === item.clientMessageId);
    if (existing) return existing;
    const entry: PendingSend = { ...item, attempts: 0, queuedAt: now };
    this.items.push(entry);
    return entry;
  }

  head(): PendingSend | undefined {
    return this.items[0];
  }

  /** The head was tried once more (and failed in a way worth retrying). */
  recordAttempt(clientMessageId: string): number {
    const item = this.items.find((i) => i.clientMessageId === clientMessageId);
    if (!item) return 0;
    item.attempts += 1;
    return item.attempts;
  }

  /** Acknowledged, refused for good, or cancelled: leaves the queue. */
  remove(clientMessageId: string): PendingSend | undefined {
    const index = this.items.findIndex((i) => i.clientMessageId === clientMessageId);
    return index < 0 ? undefined : this.items.splice(index, 1)[0];
  }
}
