import type { MediaKind } from '@wellifiy/contracts';

export interface DetectedType {
  kind: MediaKind;
  contentType: string;
}

const startsWith = (buf: Buffer, bytes: number[], offset = 0): boolean =>
  buf.length >= offset + bytes.length && bytes.every((b, i) => buf[offset + i] === b);
const ascii = (buf: Buffer, text: string, offset = 0): boolean => startsWith(buf, [...Buffer.from(text, 'latin1')], offset);

/** ISO base media brands: QuickTime is its own type, every other brand we accept is served as MP4. */
const QUICKTIME_BRANDS = new Set(['qt  ']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VH', 'M4VP', 'dash', 'MSNV', '3gp4', '3gp5', '3g2a']);

/** How many leading bytes detectMediaType looks at (WebM's DocType may sit that far in). */
export const MEDIA_TYPE_PROBE_BYTES = 64;

/**
 * The type of an upload from its first bytes (magic numbers), never from the client's name or header:
 * a text file named .png is not an image. Returns null for anything we do not accept.
 */
export function detectMediaType(buf: Buffer): DetectedType | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { kind: 'image', contentType: 'image/jpeg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', contentType: 'image/png' };
  if (ascii(buf, 'GIF87a') || ascii(buf, 'GIF89a')) return { kind: 'image', contentType: 'image/gif' };
  if (ascii(buf, 'RIFF') && ascii(buf, 'WEBP', 8)) return { kind: 'image', contentType: 'image/webp' };
  // EBML header; WebM declares DocType "webm" within the first few dozen bytes (Matroska would say "matroska").
  if (startsWith(buf, [0x1a, 0x45, 0xdf, 0xa3]) && buf.subarray(0, MEDIA_TYPE_PROBE_BYTES).includes(Buffer.from('webm'))) {
    return { kind: 'video', contentType: 'video/webm' };
  }
  if (ascii(buf, 'ftyp', 4)) {
    const brand = buf.subarray(8, 12).toString('latin1');
    if (QUICKTIME_BRANDS.has(brand)) return { kind: 'video', contentType: 'video/quicktime' };
    if (MP4_BRANDS.has(brand)) return { kind: 'video', contentType: 'video/mp4' };
    return null;
  }
  // Old QuickTime files start with a moov/mdat/wide atom instead of ftyp.
  if (['moov', 'mdat', 'wide', 'free'].some((atom) => ascii(buf, atom, 4))) return { kind: 'video', contentType: 'video/quicktime' };
  return null;
}
