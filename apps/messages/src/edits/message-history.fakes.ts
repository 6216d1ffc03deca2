import { MessageHistoryRepository, MessageVersion } from './message-history.repository';

/* Test double for the edit history (used by unit tests only; not built into dist/). */

/** In-memory history: one entry per (message, version), listed oldest first per organisation, like the real store. */
export class FakeMessageHistory extends MessageHistoryRepository {
  readonly versions: MessageVersion[] = [];
  async record(v: MessageVersion): Promise<void> {
    if (!this.versions.some((x) => x.messageId === v.messageId && x.version === v.version)) this.versions.push(v);
  }
  async list(orgId: string, messageId: string): Promise<MessageVersion[]> {
    return this.versions.filter((v) => v.orgId === orgId && v.messageId === messageId).sort((a, b) => a.version - b.version);
  }
}
