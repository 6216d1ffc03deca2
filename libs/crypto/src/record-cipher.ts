import { isSealedBox, KeyRing, SealedBox } from './key-ring';

/**
 * Seals the personal fields of one kind of record (a directory patient, a recipient, an audit entry) one field
 * at a time, each bound to its record and field by the AAD `<kind>:<recordKey>:<field>`: a box copied onto another
 * record or field does not open. Field by field, so `$set` of one field needs no read of the others.
 */
export class RecordCipher {
  constructor(
    private readonly ring: KeyRing,
    private readonly kind: string,
  ) {}

  seal(recordKey: string, field: string, value: string): SealedBox;
  seal(recordKey: string, field: string, value: string | null): SealedBox | null;
  seal(recordKey: string, field: string, value: string | null): SealedBox | null {
    return value === null ? null : this.ring.encrypt(value, this.aad(recordKey, field));
  }

  /**
   * The plaintext of a stored field. A plain string is a value written before the field was sealed (left as it
   * was; it is sealed the next time the record is written).
   */
  open(recordKey: string, field: string, stored: SealedBox | string | null | undefined): string | null {
    if (stored === null || stored === undefined) return null;
    if (typeof stored === 'string') return stored;
    if (!isSealedBox(stored)) throw new TypeError(`${this.kind}.${field}: stored value is neither text nor a sealed box`);
    return this.ring.decryptText(stored, this.aad(recordKey, field));
  }

  /** Seals every listed field present in `fields` (absent ones stay absent, null stays null). */
  sealFields<T extends object>(recordKey: string, fields: T, names: readonly string[]): { [K in keyof T]: T[K] | SealedBox } {
    const out = { ...fields } as Record<string, unknown>;
    for (const name of names) {
      const value = out[name];
      if (typeof value === 'string') out[name] = this.seal(recordKey, name, value);
    }
    return out as { [K in keyof T]: T[K] | SealedBox };
  }

  private aad(recordKey: string, field: string): string {
    return `${this.kind}:${recordKey}:${field}`;
  }
}
