import { sampleIsoMedia, sampleWebm, TINY_PNG } from '@wellifiy/testing';
import { detectMediaType } from './media-type';

const bytes = (...parts: (number[] | string)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('detectMediaType: the type comes from the bytes, never from the name or header', () => {
  it.each([
    ['a PNG', TINY_PNG, 'image/png'],
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg'],
    ['a GIF89a', bytes('GIF89a', [1, 0, 1, 0]), 'image/gif'],
    ['a GIF87a', bytes('GIF87a', [1, 0, 1, 0]), 'image/gif'],
    ['a WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['an MP4 (isom)', sampleIsoMedia(64), 'video/mp4'],
    ['an MP4 (mp42)', sampleIsoMedia(64, 'mp42'), 'video/mp4'],
    ['a QuickTime movie (qt brand)', sampleIsoMedia(64, 'qt  '), 'video/quicktime'],
    ['an old QuickTime movie (moov first)', bytes([0, 0, 0, 8], 'moov'), 'video/quicktime'],
    ['a WebM', sampleWebm(), 'video/webm'],
  ])('%s → %s', (_name, buf, contentType) => {
    expect(detectMediaType(buf)?.contentType).toBe(contentType);
  });

  it.each([
    ['a text file (whatever its name, e.g. notes.png)', Buffer.from('just some text, saved as notes.png\n')],
    ['HTML', Buffer.from('<!doctype html><title>x</title>')],
    ['a PDF', Buffer.from('%PDF-1.7\n')],
    ['an SVG (script-capable, never served as an image)', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['a Matroska (not WebM) file', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska')],
    ['an ISO file with an unknown brand (e.g. HEIC)', sampleIsoMedia(64, 'heic')],
    ['a truncated PNG signature', TINY_PNG.subarray(0, 4)],
    ['an empty file', Buffer.alloc(0)],
  ])('%s → refused (null)', (_name, buf) => {
    expect(detectMediaType(buf)).toBeNull();
  });

  it('tells images from videos', () => {
    expect(detectMediaType(TINY_PNG)?.kind).toBe('image');
    expect(detectMediaType(sampleIsoMedia(64))?.kind).toBe('video');
  });
});
