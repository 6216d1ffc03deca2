import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope encryption. Every payload gets its own random data key; the data key is wrapped
 * (also AES-256-GCM) with the ring's active key-encryption key, whose id is stored beside the ciphertext.
 * Rotation: add a new key to the ring and make it active — new data is sealed with it, old data still
 * opens with the key its `keyId` names. Nothing is ever re-encrypted to rotate.
 */
export interface SealedBox {
  /** Id of the key-encryption key that wrapped `wrappedKey`. */
  keyId: string;
  /** base64: 12-byte nonce of the payload encryption. */
  iv: string;
  /** base64: 16-byte GCM authentication tag of the payload. */
  tag: string;
  /** base64 */
  ciphertext: string;
  /** base64: nonce (12) + tag (16) + the data key encrypted with the key-encryption key (32). */
  wrappedKey: string;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

export class KeyRing {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly activeKeyId: string,
  ) {}

  /**
   * Parses `keyId:base64-32-bytes[,keyId:base64-32-bytes…]` (ENCRYPTION_KEYS) and the active key id
   * (ENCRYPTION_ACTIVE_KEY_ID); throws a KeyRingError naming what is wrong (never echoing key material).
   */
  static parse(keys: string, activeKeyId: string): KeyRing {
    const ring = new Map<string, Buffer>();
    for (const part of keys.split(',').map((p) => p.trim()).filter(Boolean)) {
      const sep = part.indexOf(':');
      const id = sep < 0 ? '' : part.slice(0, sep);
      if (!KEY_ID_PATTERN.test(id)) throw new KeyRingError('ENCRYPTION_KEYS: each entry must be keyId:base64-key with a keyId of letters, digits, _ or -');
      const key = Buffer.from(part.slice(sep + 1), 'base64');
      if (key.length !== KEY_BYTES) throw new KeyRingError(`ENCRYPTION_KEYS: key ${id} must be ${KEY_BYTES} bytes, base64-encoded`);
      if (ring.has(id)) throw new KeyRingError(`ENCRYPTION_KEYS: key id ${id} appears twice`);
      ring.set(id, key);
    }
    if (!ring.size) throw new KeyRingError('ENCRYPTION_KEYS: no keys');
    if (!ring.has(activeKeyId)) throw new KeyRingError(`ENCRYPTION_ACTIVE_KEY_ID: ${activeKeyId} is not one of the ENCRYPTION_KEYS ids`);
    return new KeyRing(ring, activeKeyId);
  }

  /** A fresh random key, base64 (for `keyId:<this>` in ENCRYPTION_KEYS). */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /**
   * Seals `plaintext` with the active key. `aad` (additional authenticated data) binds the ciphertext to
   * its context — e.g. `message:<id>` — so a ciphertext copied onto another record fails to open.
   */
  encrypt(plaintext: string | Buffer, aad: string): SealedBox {
    const dataKey = randomBytes(KEY_BYTES);
    const payload = gcmSeal(dataKey, typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext, Buffer.from(aad, 'utf8'));
    const wrapped = gcmSeal(this.key(this.activeKeyId), dataKey, Buffer.from(`key:${this.activeKeyId}`, 'utf8'));
    dataKey.fill(0);
    return {
      keyId: this.activeKeyId,
      iv: payload.iv.toString('base64'),
      tag: payload.tag.toString('base64'),
      ciphertext: payload.ciphertext.toString('base64'),
      wrappedKey: Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]).toString('base64'),
    };
  }

  /** Opens a box sealed with any key of the ring; throws when the key is unknown or anything was altered. */
  decrypt(box: SealedBox, aad: string): Buffer {
    const wrapped = Buffer.from(box.wrappedKey, 'base64');
    if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) throw new KeyRingError('sealed box: malformed wrapped key');
    const dataKey = gcmOpen(this.key(box.keyId), {
      iv: wrapped.subarray(0, IV_BYTES),
      tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
      ciphertext: wrapped.subarray(IV_BYTES + TAG_BYTES),
    }, Buffer.from(`key:${box.keyId}`, 'utf8'));
    try {
      return gcmOpen(dataKey, {
        iv: Buffer.from(box.iv, 'base64'),
        tag: Buffer.from(box.tag, 'base64'),
        ciphertext: Buffer.from(box.ciphertext, 'base64'),
      }, Buffer.from(aad, 'utf8'));
    } finally {
      dataKey.fill(0);
    }
  }

  decryptText(box: SealedBox, aad: string): string {
    return this.decrypt(box, aad).toString('utf8');
  }

  private key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new KeyRingError(`no key ${keyId} in the key ring (was it removed from ENCRYPTION_KEYS?)`);
    return key;
  }
}

/** True for a value shaped like a SealedBox (e.g. a stored field). */
export function isSealedBox(value: unknown): value is SealedBox {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['keyId', 'iv', 'tag', 'ciphertext', 'wrappedKey'].every((k) => typeof v[k] === 'string');
}

/** AES-256-GCM parts, for the key hierarchy (patient-key.ts) that wraps data keys with patient keys. */
export interface GcmParts {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): GcmParts {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

export function gcmOpen(key: Buffer, parts: GcmParts, aad: Buffer): Buffer {
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) throw new KeyRingError('sealed box: malformed nonce or tag');
  const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(parts.tag);
  try {
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    throw new KeyRingError('sealed box: authentication failed (wrong key, wrong context or altered data)');
  }
}
