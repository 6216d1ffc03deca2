import { Injectable } from '@nestjs/common';
import { isSealedBox, KeyRing, SealedBox } from '@wellifiy/crypto';
import { LinkPreview } from '@wellifiy/contracts';
import { OutboxEntry } from '@wellifiy/messaging';

/**
 * What this service encrypts at rest, and with which context (AAD): message bodies, and the data of outbox
 * entries — a message event carries the body, and the outbox lives in the message document. Each ciphertext
 * is bound to its record, so a body copied onto another message does not decrypt.
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

  /** The entry as stored: `data` replaced by `{ sealed }`; the relay opens it just before publishing. */
  sealEvent(entry: OutboxEntry): OutboxEntry {
    return { ...entry, data: { sealed: this.ring.encrypt(JSON.stringify(entry.data), `outbox:${entry.id}`) } };
  }

  openEvent(entry: OutboxEntry): OutboxEntry {
    const sealed = (entry.data as { sealed?: unknown } | null)?.sealed;
    if (!isSealedBox(sealed)) return entry;
    return { ...entry, data: JSON.parse(this.ring.decryptText(sealed, `outbox:${entry.id}`)) as unknown };
  }

  /** A link preview repeats the body's URL, so it is sealed like the body. */
  sealLinkPreview(messageId: string, preview: LinkPreview): SealedBox {
    return this.ring.encrypt(JSON.stringify(preview), `message-link-preview:${messageId}`);
  }

  openLinkPreview(messageId: string, stored: SealedBox): LinkPreview {
    return JSON.parse(this.ring.decryptText(stored, `message-link-preview:${messageId}`)) as LinkPreview;
  }
}
