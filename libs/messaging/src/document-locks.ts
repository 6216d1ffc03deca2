/**
 * Serialises work on one document within this process.
 *
 * An unpatched FerretDB v1 applies an update as read-modify-write without a guard: two concurrent updates of
 * one document — even `$inc`, `$push` or a version compare-and-set — can lose one of them. The build's
 * tools/scripts/lib/ferretdb-atomic-updates.patch makes single-document updates atomic, as on MongoDB
 * (docs/embedded-database.md). Every read-modify-write of a document that several requests may change at once
 * (a channel, a projection row, an outbox being cleared while events are appended) is written as a version
 * compare-and-set, correct across replicas; it also runs under the document's lock here, so the writers of
 * one process queue instead of failing each other's compare-and-set and retrying.
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
