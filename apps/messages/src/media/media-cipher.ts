import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { gcmOpen, gcmSeal, KeyHierarchy, KeyRing, PatientRef, StoredBox } from '@wellifiy/crypto';

/**
 * One encrypted chunk as stored, ciphertext binary. A chunk of a file with a file key (`MediaFileDoc.key`) has
 * only `iv`, `tag` and `data`; a chunk stored before file keys existed is a master-ring envelope of its own
 * (`keyId` and `wrappedKey` too).
 */
export interface SealedChunk {
  keyId?: string;
  iv: string;
  tag: string;
  wrappedKey?: string;
  data: Buffer;
}

/** A file's content key: `key` in memory for sealing or opening its chunks, `stored` as the file document keeps it. */
export interface FileKey {
  key: Buffer;
  stored: StoredBox;
}

const KEY_BYTES = 32;

/**
 * Media at rest: every file has a random content key that seals each of its chunks (AES-256-GCM, each chunk bound
 * (AAD) to its media id, variant and position, so chunks cannot be swapped between files or reordered unnoticed).
 * The content key itself is sealed through the key hierarchy (context `media-key:<mediaId>`): under the key of
 * the patient whose media it is — the uploading patient, or the patient of the first patient channel it is posted
 * in — so erasing that patient makes the bytes unreadable everywhere, backups included; media of no patient (staff
 * uploads not yet posted, or posted where no patient is) under the master ring. Resealing the content key (a staff
 * upload posted in a patient's channel) rewrites one small box, never the chunks.
 */
@Injectable()
export class MediaCipher {
  constructor(
    private readonly ring: KeyRing,
    private readonly keys: KeyHierarchy,
  ) {}

  async newFileKey(mediaId: string, patient: PatientRef | null): Promise<FileKey> {
    const key = randomBytes(KEY_BYTES);
    return { key, stored: await this.keys.seal(key, fileKeyContext(mediaId), patient) };
  }

  /** Throws PatientKeyErasedError when the patient the file is sealed for was erased. */
  async openFileKey(mediaId: string, stored: StoredBox): Promise<Buffer> {
    return this.keys.open(stored, fileKeyContext(mediaId));
  }

  /** The same content key, sealed for `patient` instead (its chunks stay as they are). */
  async resealFileKey(mediaId: string, stored: StoredBox, patient: PatientRef): Promise<StoredBox> {
    const key = await this.openFileKey(mediaId, stored);
    try {
      return await this.keys.seal(key, fileKeyContext(mediaId), patient);
    } finally {
      key.fill(0);
    }
  }

  seal(fileKey: Buffer, plain: Buffer, aad: string): SealedChunk {
    const parts = gcmSeal(fileKey, plain, Buffer.from(`media:${aad}`, 'utf8'));
    return { iv: parts.iv.toString('base64'), tag: parts.tag.toString('base64'), data: parts.ciphertext };
  }

  /** `fileKey` null: a file stored before file keys existed, each chunk under the master ring. */
  open(sealed: SealedChunk, aad: string, fileKey: Buffer | null): Buffer {
    if (sealed.keyId !== undefined && sealed.wrappedKey !== undefined) {
      return this.ring.decrypt({ keyId: sealed.keyId, iv: sealed.iv, tag: sealed.tag, wrappedKey: sealed.wrappedKey, ciphertext: sealed.data.toString('base64') }, `media:${aad}`);
    }
    if (!fileKey) throw new Error('media chunk: sealed under a file key the file does not have');
    return gcmOpen(fileKey, { iv: Buffer.from(sealed.iv, 'base64'), tag: Buffer.from(sealed.tag, 'base64'), ciphertext: sealed.data }, Buffer.from(`media:${aad}`, 'utf8'));
  }
}

const fileKeyContext = (mediaId: string): string => `media-key:${mediaId}`;
