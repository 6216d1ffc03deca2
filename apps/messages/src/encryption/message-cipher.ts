import { Injectable } from '@nestjs/common';
import { isSealedBox, KeyHierarchy, KeyRing, PatientKeyErasedError, PatientRef, StoredBox } from '@wellifiy/crypto';
import { LinkPreview } from '@wellifiy/contracts';
import { OutboxEntry, StoredOutboxEntry } from '@wellifiy/messaging';

/** The opened content of a stored message; `erased` when its patient's key was destroyed (crypto-shredding). */
export interface OpenedContent {
  body: string;
  linkPreview: LinkPreview | null;
  erased: boolean;
}

/**
 * What this service encrypts at rest, and with which context (AAD): message bodies, history, link previews and
 * audit reasons. Each ciphertext is bound to its record, so a body copied onto another message does not decrypt.
 * Content of a patient (`sealedFor`) is sealed under that patient's key (KeyHierarchy: master → patient → data
 * key), so erasing the patient makes it unreadable everywhere; other content under the master ring alone.
 * (Outbox entries of content events are sealed by the relay — OutboxRelay.toStored — as they go on the wire.)
 */
@Injectable()
export class MessageCipher {
  constructor(
    private readonly ring: KeyRing,
    private readonly keys: KeyHierarchy,
  ) {}

  sealBody(messageId: string, body: string, sealedFor: PatientRef | null): Promise<StoredBox> {
    return this.keys.seal(body, `message-body:${messageId}`, sealedFor);
  }

  async openBody(messageId: string, stored: StoredBox | string | null): Promise<string> {
    // A plain string is a body stored before encryption at rest existed (development data only); null a purged one.
    if (stored === null) return '';
    return typeof stored === 'string' ? stored : this.keys.openText(stored, `message-body:${messageId}`);
  }

  /** Body and preview of a stored message; content whose patient key is gone comes back empty and `erased`. */
  async openContent(doc: { _id: string; body: StoredBox | string | null; linkPreview?: StoredBox | null }): Promise<OpenedContent> {
    try {
      return {
        body: await this.openBody(doc._id, doc.body),
        linkPreview: doc.linkPreview ? await this.openLinkPreview(doc._id, doc.linkPreview) : null,
        erased: false,
      };
    } catch (err) {
      if (err instanceof PatientKeyErasedError) return { body: '', linkPreview: null, erased: true };
      throw err;
    }
  }

  /** A body as it stood before an edit or delete (immutable history). */
  sealHistoryBody(versionId: string, body: string, sealedFor: PatientRef | null): Promise<StoredBox> {
    return this.keys.seal(body, `message-version:${versionId}`, sealedFor);
  }

  /** null when the patient's key was erased. */
  async openHistoryBody(versionId: string, stored: StoredBox): Promise<string | null> {
    try {
      return await this.keys.openText(stored, `message-version:${versionId}`);
    } catch (err) {
      if (err instanceof PatientKeyErasedError) return null;
      throw err;
    }
  }

  /**
   * Why staff changed a message: free text that may repeat clinical content, so sealed under the same key as the
   * message (the patient's, when it has one): erasing the patient makes it unreadable with the message.
   */
  sealAuditReason(auditId: string, reason: string, sealedFor: PatientRef | null): Promise<StoredBox> {
    return this.keys.seal(reason, `audit-reason:${auditId}`, sealedFor);
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
  sealLinkPreview(messageId: string, preview: LinkPreview, sealedFor: PatientRef | null): Promise<StoredBox> {
    return this.keys.seal(JSON.stringify(preview), `message-link-preview:${messageId}`, sealedFor);
  }

  async openLinkPreview(messageId: string, stored: StoredBox): Promise<LinkPreview> {
    return JSON.parse(await this.keys.openText(stored, `message-link-preview:${messageId}`)) as LinkPreview;
  }
}

/** The patient whose key seals a message's content (`sealedFor` on the stored message), as a key reference. */
export function sealingRef(orgId: string, sealedFor: string | null | undefined): PatientRef | null {
  return sealedFor ? { orgId, patientId: sealedFor } : null;
}
