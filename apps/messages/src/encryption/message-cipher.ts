import { Injectable } from '@nestjs/common';
import { isSealedBox, KeyRing, SealedBox } from '@wellifiy/crypto';
import { LinkPreview } from '@wellifiy/contracts';
import { OutboxEntry, StoredOutboxEntry } from '@wellifiy/messaging';

/**
 * What this service encrypts at rest, and with which context (AAD): message bodies, history, link previews and
 * audit reasons. Each ciphertext is bound to its record, so a body copied onto another message does not decrypt.
 * (Outbox entries of content events are sealed by the relay — OutboxRelay.toStored — as they go on the wire.)
 */
@Injectable()
export class MessageCipher {
  constructor(private readonly ring: KeyRing) {}

  sealBody(messageId: string, body: string): SealedBox {
    return this.ring.encrypt(body, `message-body:${messageId}`);
  }

  openBody(messageId: string, stored: SealedBox | string): string {
    // A plain string is a body stored before encryption at rest existed (development data only).
    return typeof stored === 'string' ? stored : this.ring.decryptText(stored, `message-body:${messageId}`);
  }

  /** A body as it stood before an edit or delete (immutable history). */
  sealHistoryBody(versionId: string, body: string): SealedBox {
    return this.ring.encrypt(body, `message-version:${versionId}`);
  }

  openHistoryBody(versionId: string, stored: SealedBox): string {
    return this.ring.decryptText(stored, `message-version:${versionId}`);
  }

  /** Why staff changed a message: free text that may repeat clinical content. */
  sealAuditReason(auditId: string, reason: string): SealedBox {
    return this.ring.encrypt(reason, `audit-reason:${auditId}`);
  }

  /**
   * Outbox entries written by earlier releases kept `data: { sealed }` under the context `outbox:<id>`: opened
   * here, just before publishing, so the publisher seals them as every content event is sealed on the wire.
   */
  openLegacyEvent(entry: StoredOutboxEntry): StoredOutboxEntry | OutboxEntry {
    const sealed = (entry.data as { sealed?: unknown } | null | undefined)?.sealed;
    if (!isSealedBox(sealed)) return entry;
    const { id, type, orgId, time, correlationId } = entry;
    const data = JSON.parse(this.ring.decryptText(sealed, `outbox:${entry.id}`)) as unknown;
    return { id, type, orgId, time, data, ...(correlationId ? { correlationId } : {}) };
  }

  /** A link preview repeats the body's URL, so it is sealed like the body. */
  sealLinkPreview(messageId: string, preview: LinkPreview): SealedBox {
    return this.ring.encrypt(JSON.stringify(preview), `message-link-preview:${messageId}`);
  }

  openLinkPreview(messageId: string, stored: SealedBox): LinkPreview {
    return JSON.parse(this.ring.decryptText(stored, `message-link-preview:${messageId}`)) as LinkPreview;
  }
}
