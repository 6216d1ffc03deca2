import { AuditRepository, MessageAuditEntry, ReadAccessEntry } from './audit.repository';

/* Test double for the audit store (used by unit tests only; not built into dist/). */

/** In-memory audit: changes and reads, kept for the test to inspect. */
export class FakeAudit extends AuditRepository {
  readonly changes: MessageAuditEntry[] = [];
  readonly reads: ReadAccessEntry[] = [];
  /** As the real store: a second record under the same id is ignored. */
  async recordChange(entry: MessageAuditEntry): Promise<void> {
    if (!entry.id || !this.changes.some((c) => c.id === entry.id)) this.changes.push(entry);
  }
  async recordRead(entry: ReadAccessEntry): Promise<void> {
    this.reads.push(entry);
  }
}
