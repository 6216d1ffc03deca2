import { randomBytes } from 'node:crypto';
import { isSealedBox, KeyRing, KeyRingError } from './key-ring';

const k = (): string => randomBytes(32).toString('base64');

describe('KeyRing', () => {
  const k1 = k();
  const k2 = k();

  it('round-trips text, binds it to its aad, and never stores the plaintext in the box', () => {
    const ring = KeyRing.parse(`k1:${k1}`, 'k1');
    const box = ring.encrypt('I feel dizzy since Monday', 'message:m1');
    expect(isSealedBox(box)).toBe(true);
    expect(box.keyId).toBe('k1');
    expect(JSON.stringify(box)).not.toContain('dizzy');
    expect(ring.decryptText(box, 'message:m1')).toBe('I feel dizzy since Monday');
    expect(() => ring.decrypt(box, 'message:m2')).toThrow(KeyRingError);
  });

  it('uses a fresh data key and nonce for every payload', () => {
    const ring = KeyRing.parse(`k1:${k1}`, 'k1');
    const a = ring.encrypt('same', 'x');
    const b = ring.encrypt('same', 'x');
    expect(a.ciphertext === b.ciphertext && a.iv === b.iv).toBe(false);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
  });

  it('round-trips binary data', () => {
    const ring = KeyRing.parse(`k1:${k1}`, 'k1');
    const bytes = randomBytes(1000);
    expect(ring.decrypt(ring.encrypt(bytes, 'media:1'), 'media:1').equals(bytes)).toBe(true);
  });

  it('key rotation: a new active key seals new data while data sealed with the old key still opens', () => {
    const before = KeyRing.parse(`k1:${k1}`, 'k1');
    const old = before.encrypt('old secret', 'message:a');

    const after = KeyRing.parse(`k1:${k1},k2:${k2}`, 'k2');
    const fresh = after.encrypt('new secret', 'message:b');

    expect(fresh.keyId).toBe('k2');
    expect(after.decryptText(old, 'message:a')).toBe('old secret');
    expect(after.decryptText(fresh, 'message:b')).toBe('new secret');
    // The old ring cannot open what the new key sealed: the key id names the key that is needed.
    expect(() => before.decrypt(fresh, 'message:b')).toThrow(/no key k2/);
  });

  it('refuses a box whose ciphertext, tag or wrapped key was altered', () => {
    const ring = KeyRing.parse(`k1:${k1}`, 'k1');
    const box = ring.encrypt('hello', 'x');
    const flip = (b64: string): string => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] ^= 1;
      return buf.toString('base64');
    };
    expect(() => ring.decrypt({ ...box, ciphertext: flip(box.ciphertext) }, 'x')).toThrow(KeyRingError);
    expect(() => ring.decrypt({ ...box, tag: flip(box.tag) }, 'x')).toThrow(KeyRingError);
    expect(() => ring.decrypt({ ...box, wrappedKey: flip(box.wrappedKey) }, 'x')).toThrow(KeyRingError);
  });

  it('a box claiming another key id of the ring does not open (the wrapped key is bound to its key id)', () => {
    const ring = KeyRing.parse(`k1:${k1},k2:${k2}`, 'k1');
    const box = ring.encrypt('hello', 'x');
    expect(() => ring.decrypt({ ...box, keyId: 'k2' }, 'x')).toThrow(KeyRingError);
  });

  it.each([
    ['', 'k1', /ENCRYPTION_KEYS: no keys/],
    [`k1:${Buffer.alloc(16).toString('base64')}`, 'k1', /key k1 must be 32 bytes/],
    [`bad id:${k()}`, 'bad id', /ENCRYPTION_KEYS: each entry/],
    [`k1:${k()},k1:${k()}`, 'k1', /appears twice/],
    [`k1:${k()}`, 'k9', /ENCRYPTION_ACTIVE_KEY_ID: k9/],
  ])('parse refuses %j (active %s) naming the variable', (keys, active, message) => {
    expect(() => KeyRing.parse(keys, active)).toThrow(message);
  });

  it('error messages never contain key material', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    let message = '';
    try {
      KeyRing.parse(`k1:${key}`, 'k1');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/ENCRYPTION_KEYS/);
    expect(message).not.toContain(key);
  });
});
