import { randomBytes } from 'node:crypto';
import { gcmOpen, gcmSeal, isSealedBox, KeyRing, KeyRingError, SealedBox } from './key-ring';

/**
 * Three levels of keys, so one patient's content can be destroyed everywhere at once (crypto-shredding):
 *
 *   master key (ENCRYPTION_KEYS ring)  wraps  patient key (random, one per patient, in a PatientKeyStore)
 *   patient key                        wraps  data key (random, one per record)
 *   data key                           seals  the record's content
 *
 * Erasing a patient deletes their patient key: every record sealed under it — in the database, in its backups,
 * in any copy — no longer opens. Rotating the master key needs no re-encryption of records: the ring keeps old
 * keys, and `rewrap` re-wraps the (few) patient keys under the active master key so an old key can be retired.
 * Records of no patient (staff-only content) stay plain `SealedBox`es under the ring (version 1).
 */
export interface PatientSealedBox {
  /** Version 2: sealed under a patient key. Version 1 boxes (`SealedBox`) carry no `v`. */
  v: 2;
  orgId: string;
  patientId: string;
  /** Id of the patient key generation that wrapped `wrappedKey`: a key created after an erasure has another. */
  patientKeyId: string;
  /** base64: nonce of the payload encryption. */
  iv: string;
  /** base64: GCM tag of the payload. */
  tag: string;
  /** base64 */
  ciphertext: string;
  /** base64: nonce (12) + tag (16) + the data key encrypted with the patient key (32). */
  wrappedKey: string;
}

export type StoredBox = SealedBox | PatientSealedBox;

export interface PatientRef {
  orgId: string;
  patientId: string;
}

/** A patient key as stored: wrapped by the master key ring. `wrapped` null = erased. */
export interface StoredPatientKey extends PatientRef {
  keyId: string | null;
  wrapped: SealedBox | null;
  createdAt: Date;
  erasedAt: Date | null;
}

/** Where patient keys live (one document per patient; a service's own database). */
export abstract class PatientKeyStore {
  abstract find(ref: PatientRef): Promise<StoredPatientKey | null>;
  /**
   * Stores `key` for a patient who has none (or whose key was erased) and returns what is stored afterwards:
   * when another writer got there first, theirs.
   */
  abstract create(key: StoredPatientKey): Promise<StoredPatientKey>;
  /** Destroys the key material, keeping ids and times. Returns false when there was no live key. */
  abstract erase(ref: PatientRef, at: Date): Promise<boolean>;
  /** Every live key, for re-wrapping under a new master key. */
  abstract live(): AsyncIterable<StoredPatientKey>;
  /** Replaces the wrapping of a live key (same key, same id). */
  abstract replaceWrapping(ref: PatientRef, keyId: string, wrapped: SealedBox): Promise<void>;
}

/** The patient's key was erased (or never existed): content sealed under it can no longer be read, by design. */
export class PatientKeyErasedError extends KeyRingError {
  constructor(readonly ref: PatientRef) {
    super(`the patient key of ${ref.patientId} was erased: content sealed under it can no longer be opened`);
    this.name = 'PatientKeyErasedError';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isPatientSealedBox(value: unknown): value is PatientSealedBox {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.v === 2 && ['orgId', 'patientId', 'patientKeyId', 'iv', 'tag', 'ciphertext', 'wrappedKey'].every((k) => typeof v[k] === 'string');
}

export interface KeyHierarchyOptions {
  /**
   * How long an opened patient key is kept in memory. Short: after an erasure on another replica, this process
   * may still open that patient's content until it hears `patient.erased` (`forget`), and at most this long
   * (an erasure in this process drops it at once).
   */
  cacheMs?: number;
}

export class KeyHierarchy {
  private readonly cache = new Map<string, { keyId: string; key: Buffer; until: number }>();
  /** Lookups in flight, by patient: seals and opens for one patient at once share one read of the store. */
  private readonly loading = new Map<string, Promise<{ keyId: string; key: Buffer; until: number }>>();
  private readonly cacheMs: number;
  /** Erasures in this process, by patient: a lookup that began before one must not cache the key it read. */
  private readonly erasures = new Map<string, number>();

  constructor(
    readonly ring: KeyRing,
    private readonly store: PatientKeyStore,
    options: KeyHierarchyOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 5000;
  }

  /** Seals under the patient's key (created on first use) or, with no patient, under the master ring alone. */
  async seal(plaintext: string | Buffer, aad: string, patient: PatientRef | null): Promise<StoredBox> {
    if (!patient) return this.ring.encrypt(plaintext, aad);
    const { keyId, key } = await this.patientKey(patient, true);
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const payload = gcmSeal(dataKey, typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext, Buffer.from(aad, 'utf8'));
      const wrapped = gcmSeal(key, dataKey, Buffer.from(dataKeyContext(patient, keyId), 'utf8'));
      return {
        v: 2,
        orgId: patient.orgId,
        patientId: patient.patientId,
        patientKeyId: keyId,
        iv: payload.iv.toString('base64'),
        tag: payload.tag.toString('base64'),
        ciphertext: payload.ciphertext.toString('base64'),
        wrappedKey: Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]).toString('base64'),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Opens either version; throws PatientKeyErasedError when the patient's key is gone. */
  async open(box: StoredBox, aad: string): Promise<Buffer> {
    if (!isPatientSealedBox(box)) {
      if (!isSealedBox(box)) throw new KeyRingError('stored value is not a sealed box');
      return this.ring.decrypt(box, aad);
    }
    const ref = { orgId: box.orgId, patientId: box.patientId };
    const { keyId, key } = await this.patientKey(ref, false);
    if (keyId !== box.patientKeyId) throw new PatientKeyErasedError(ref);
    const wrapped = Buffer.from(box.wrappedKey, 'base64');
    if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) throw new KeyRingError('sealed box: malformed wrapped key');
    const dataKey = gcmOpen(key, { iv: wrapped.subarray(0, IV_BYTES), tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ciphertext: wrapped.subarray(IV_BYTES + TAG_BYTES) }, Buffer.from(dataKeyContext(ref, keyId), 'utf8'));
    try {
      return gcmOpen(dataKey, { iv: Buffer.from(box.iv, 'base64'), tag: Buffer.from(box.tag, 'base64'), ciphertext: Buffer.from(box.ciphertext, 'base64') }, Buffer.from(aad, 'utf8'));
    } finally {
      dataKey.fill(0);
    }
  }

  async openText(box: StoredBox, aad: string): Promise<string> {
    return (await this.open(box, aad)).toString('utf8');
  }

  /** The patient whose key seals `box`, or null for a version 1 box. */
  static patientOf(box: unknown): PatientRef | null {
    return isPatientSealedBox(box) ? { orgId: box.orgId, patientId: box.patientId } : null;
  }

  /** Crypto-shredding: destroys the patient's key. Returns false when there was none to destroy. */
  async erase(ref: PatientRef, at = new Date()): Promise<boolean> {
    this.forget(ref);
    return this.store.erase(ref, at);
  }

  /**
   * Drops this process's cached copy of the patient's key (another process erased the patient: the
   * `patient.erased` event). Lookups already under way do not cache what they read; the next use reads the store.
   */
  forget(ref: PatientRef): void {
    const id = cacheKey(ref);
    this.erasures.set(id, (this.erasures.get(id) ?? 0) + 1);
    this.cache.get(id)?.key.fill(0);
    this.cache.delete(id);
    for (const flight of [`${id}\u0000seal`, `${id}\u0000open`]) this.loading.delete(flight);
  }

  /** After a master key rotation: re-wraps every live patient key under the active master key. Returns how many. */
  async rewrap(): Promise<number> {
    let n = 0;
    for await (const stored of this.store.live()) {
      if (!stored.wrapped || !stored.keyId || stored.wrapped.keyId === this.ring.activeKeyId) continue;
      const key = this.ring.decrypt(stored.wrapped, patientKeyContext(stored, stored.keyId));
      await this.store.replaceWrapping(stored, stored.keyId, this.ring.encrypt(key, patientKeyContext(stored, stored.keyId)));
      key.fill(0);
      n++;
    }
    return n;
  }

  private async patientKey(ref: PatientRef, create: boolean): Promise<{ keyId: string; key: Buffer }> {
    const id = cacheKey(ref);
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached;
    // Seals share a lookup with seals (which may create the key), opens with opens (which never do).
    const flight = `${id}\u0000${create ? 'seal' : 'open'}`;
    const inFlight = this.loading.get(flight);
    if (inFlight) return inFlight;
    const loading = this.load(ref, create);
    this.loading.set(flight, loading);
    try {
      return await loading;
    } finally {
      if (this.loading.get(flight) === loading) this.loading.delete(flight);
    }
  }

  private async load(ref: PatientRef, create: boolean): Promise<{ keyId: string; key: Buffer; until: number }> {
    const erasuresBefore = this.erasures.get(cacheKey(ref)) ?? 0;
    let stored = await this.store.find(ref);
    if (!stored?.wrapped || !stored.keyId) {
      if (!create) throw new PatientKeyErasedError(ref);
      const keyId = randomBytes(12).toString('base64url');
      const key = randomBytes(KEY_BYTES);
      stored = await this.store.create({ ...ref, keyId, wrapped: this.ring.encrypt(key, patientKeyContext(ref, keyId)), createdAt: new Date(), erasedAt: null });
      key.fill(0);
      if (!stored.wrapped || !stored.keyId) throw new PatientKeyErasedError(ref);
    }
    const key = this.ring.decrypt(stored.wrapped, patientKeyContext(ref, stored.keyId));
    const entry = { keyId: stored.keyId, key, until: Date.now() + this.cacheMs };
    if (this.cacheMs > 0 && (this.erasures.get(cacheKey(ref)) ?? 0) === erasuresBefore) this.cache.set(cacheKey(ref), entry);
    return entry;
  }
}

const cacheKey = (ref: PatientRef): string => `${ref.orgId}\u0000${ref.patientId}`;
// Contexts (AAD) bind a wrapped key to its owner: a patient key copied onto another patient does not open.
const patientKeyContext = (ref: PatientRef, keyId: string): string => `patient-key:${ref.orgId}:${ref.patientId}:${keyId}`;
const dataKeyContext = (ref: PatientRef, keyId: string): string => `data-key:${ref.orgId}:${ref.patientId}:${keyId}`;

/** A PatientKeyStore in memory, for unit tests. */
export class InMemoryPatientKeyStore extends PatientKeyStore {
  readonly keys = new Map<string, StoredPatientKey>();

  find(ref: PatientRef): Promise<StoredPatientKey | null> {
    return Promise.resolve(this.keys.get(cacheKey(ref)) ?? null);
  }

  create(key: StoredPatientKey): Promise<StoredPatientKey> {
    const existing = this.keys.get(cacheKey(key));
    if (existing?.wrapped) return Promise.resolve(existing);
    this.keys.set(cacheKey(key), { ...key });
    return Promise.resolve(key);
  }

  erase(ref: PatientRef, at: Date): Promise<boolean> {
    const existing = this.keys.get(cacheKey(ref));
    if (!existing?.wrapped) return Promise.resolve(false);
    this.keys.set(cacheKey(ref), { ...existing, keyId: null, wrapped: null, erasedAt: at });
    return Promise.resolve(true);
  }

  async *live(): AsyncIterable<StoredPatientKey> {
    await Promise.resolve();
    for (const k of [...this.keys.values()]) if (k.wrapped) yield k;
  }

  replaceWrapping(ref: PatientRef, keyId: string, wrapped: SealedBox): Promise<void> {
    const existing = this.keys.get(cacheKey(ref));
    if (existing?.keyId === keyId) this.keys.set(cacheKey(ref), { ...existing, wrapped });
    return Promise.resolve();
  }
}
