/**
 * Queues work on one key within this process. Not a correctness mechanism: single-document updates are atomic
 * on MongoDB and on the embedded database (tools/scripts/lib/ferretdb-atomic-updates.patch,
 * docs/embedded-database.md), and every read-modify-write is a version compare-and-set, correct across
 * processes. It is kept where writers of one process would otherwise collide on purpose and pay for it: the
 * seq claim of a channel's sends (a lost claim costs two more reads before the next attempt), on MongoDB too.
 */
export class DocumentLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last waiter for a key removes it, so the map only holds documents with work in flight.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys currently locked or queued (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}

export const documentKey = (collection: string, id: unknown): string => `${collection}:${String(id)}`;
