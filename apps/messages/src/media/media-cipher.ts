import { Injectable } from '@nestjs/common';
import { KeyRing } from '@wellifiy/crypto';

/** One encrypted chunk as stored: the envelope of libs/crypto with the ciphertext kept binary. */
export interface SealedChunk {
  keyId: string;
  iv: string;
  tag: string;
  wrappedKey: string;
  data: Buffer;
}

/**
 * Media at rest, through the service's key ring (libs/crypto, ENCRYPTION_KEYS): AES-256-GCM envelope
 * encryption per chunk, each chunk bound (AAD) to its media id, variant and position, so chunks cannot
 * be swapped between files or reordered unnoticed. Old keys stay in the ring, so rotation re-encrypts nothing.
 */
@Injectable()
export class MediaCipher {
  constructor(private readonly ring: KeyRing) {}

  seal(plain: Buffer, aad: string): SealedChunk {
    const box = this.ring.encrypt(plain, `media:${aad}`);
    return { keyId: box.keyId, iv: box.iv, tag: box.tag, wrappedKey: box.wrappedKey, data: Buffer.from(box.ciphertext, 'base64') };
  }

  open(sealed: SealedChunk, aad: string): Buffer {
    return this.ring.decrypt({ keyId: sealed.keyId, iv: sealed.iv, tag: sealed.tag, wrappedKey: sealed.wrappedKey, ciphertext: sealed.data.toString('base64') }, `media:${aad}`);
  }
}
