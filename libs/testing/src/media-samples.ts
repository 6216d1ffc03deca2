/**
 * Tiny media files for tests, built from bytes (no fixtures on disk): the magic numbers are real, the
 * payload is a deterministic pattern so a range of it can be checked byte for byte.
 */

/** A valid 1×1 PNG. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Byte i of the sample payloads. */
export const patternByte = (i: number): number => (i * 31 + 7) % 251;

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

/** An ISO-BMFF file of exactly `size` bytes (≥ 40): `ftyp` with brand `brand`, then an `mdat` of pattern bytes. */
export function sampleIsoMedia(size: number, brand = 'isom'): Buffer {
  const ftyp = box('ftyp', Buffer.concat([Buffer.from(brand, 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from(`${brand}mp41`, 'latin1')]));
  const payload = Buffer.alloc(size - ftyp.length - 8);
  for (let i = 0; i < payload.length; i++) payload[i] = patternByte(i);
  return Buffer.concat([ftyp, box('mdat', payload)]);
}

/** An EBML header declaring DocType "webm", padded to `size` bytes. */
export function sampleWebm(size = 64): Buffer {
  const header = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, ...Buffer.from('webm'), 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]);
  return Buffer.concat([header, Buffer.alloc(Math.max(0, size - header.length), 7)]);
}
