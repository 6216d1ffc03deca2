import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { Actor, DomainError, ErrorCode, MediaKind, MediaTicket as MediaTicketResult, MediaVariant, MediaView } from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { MessagesConfig } from '../config/messages.config';
import { MembershipService } from '../membership/membership.service';
import { MediaCipher, SealedChunk } from './media-cipher';
import { ByteRange } from './media-range';
import { detectMediaType } from './media-type';
import { MediaFile, MediaRepository, MediaTicket } from './media.repository';
import { MediaVariantInfo } from './media.schema';

export const MEDIA_CHUNK_SIZE = 256 * 1024;
export const MEDIA_TICKET_TTL_MS = 60_000;
const THUMBNAIL_EDGE = 320;
/** Chunks decrypted per database round trip while streaming. */
const CHUNK_BATCH = 8;

export interface MediaLimits {
  image: number;
  video: number;
}

/** Size limit per kind, checked once the type is known from the bytes. */
export function checkMediaSize(kind: MediaKind, size: number, limits: MediaLimits): void {
  if (size > limits[kind]) throw new DomainError(ErrorCode.PayloadTooLarge, `${kind}s may be at most ${limits[kind]} bytes`);
}

export interface MediaContent {
  contentType: string;
  size: number;
  range: ByteRange | undefined;
  body: AsyncIterable<Buffer>;
}

@Injectable()
export class MediaService {
  private readonly limits: MediaLimits;

  constructor(
    private readonly repo: MediaRepository,
    private readonly cipher: MediaCipher,
    private readonly membership: MembershipService,
    config: MessagesConfig,
  ) {
    this.limits = { image: config.MEDIA_MAX_IMAGE_BYTES, video: config.MEDIA_MAX_VIDEO_BYTES };
  }

  /** The most bytes an upload may have before its type is known (the larger limit). */
  get maxUploadBytes(): number {
    return Math.max(this.limits.image, this.limits.video);
  }

  async uploadTicket(actor: Actor): Promise<MediaTicketResult> {
    // Expired tickets are useless; uploads are rare enough to clear the organisation's on each one.
    await this.repo.pruneTickets(actor.orgId, new Date());
    return this.ticket({ orgId: actor.orgId, userId: actor.userId, purpose: 'upload', mediaId: null, variant: null });
  }

  /** NOT_FOUND unless the actor uploaded the media or is a member of a channel it was posted in. Audited. */
  async readTicket(actor: Actor, mediaId: string, variant: MediaVariant): Promise<MediaTicketResult> {
    const file = await this.requireReadable(actor, mediaId);
    if (variant === 'thumbnail' && !file.thumbnail) throw new DomainError(ErrorCode.NotFound, `media ${mediaId} has no thumbnail`);
    await this.repo.audit({ orgId: actor.orgId, mediaId, variant, readerId: actor.userId, readerKind: actor.kind, at: new Date() });
    return this.ticket({ orgId: actor.orgId, userId: actor.userId, purpose: 'read', mediaId, variant });
  }

  /** Stores an upload made with an upload ticket: type from the bytes, size limits, metadata stripped, encrypted. */
  async upload(orgId: string, ticketId: string, bytes: Buffer): Promise<MediaView> {
    const ticket = await this.requireTicket(orgId, ticketId, 'upload');
    const type = detectMediaType(bytes);
    if (!type) throw new DomainError(ErrorCode.UnsupportedMediaType, 'only jpeg, png, webp and gif images and mp4, webm and quicktime videos are accepted');
    checkMediaSize(type.kind, bytes.length, this.limits);

    let original = bytes;
    let thumbnail: Buffer | null = null;
    let dims: { width?: number; height?: number } = {};
    if (type.kind === 'image') ({ original, thumbnail, dims } = await processImage(bytes, type.contentType));

    const mediaId = newId('med');
    const chunks: { variant: MediaVariant; n: number; sealed: SealedChunk }[] = [];
    const seal = (variant: MediaVariant, data: Buffer, contentType: string): MediaVariantInfo => {
      const count = Math.max(1, Math.ceil(data.length / MEDIA_CHUNK_SIZE));
      for (let n = 0; n < count; n++) {
        const plain = data.subarray(n * MEDIA_CHUNK_SIZE, (n + 1) * MEDIA_CHUNK_SIZE);
        chunks.push({ variant, n, sealed: this.cipher.seal(plain, chunkAad(mediaId, variant, n)) });
      }
      return { contentType, size: data.length, chunks: count };
    };
    const file: MediaFile = {
      _id: mediaId,
      orgId,
      uploaderId: ticket.userId,
      kind: type.kind,
      chunkSize: MEDIA_CHUNK_SIZE,
      original: seal('original', original, type.contentType),
      thumbnail: thumbnail ? seal('thumbnail', thumbnail, 'image/webp') : null,
      ...dims,
      createdAt: new Date(),
    };
    await this.repo.store(file, chunks);
    return toMediaView(file);
  }

  /** The bytes a read ticket grants, decrypted chunk by chunk; only the chunks a range covers are read. */
  async content(orgId: string, ticketId: string, range: (size: number) => ByteRange | null | undefined): Promise<MediaContent | { unsatisfiable: number }> {
    const ticket = await this.requireTicket(orgId, ticketId, 'read');
    const variant = ticket.variant ?? 'original';
    const file = await this.repo.find(orgId, ticket.mediaId ?? '');
    const info = variant === 'thumbnail' ? file?.thumbnail : file?.original;
    if (!file || !info) throw new DomainError(ErrorCode.NotFound, 'media not found');
    const wanted = range(info.size);
    if (wanted === null) return { unsatisfiable: info.size };
    const start = wanted?.start ?? 0;
    const end = wanted?.end ?? info.size - 1;
    return { contentType: info.contentType, size: info.size, range: wanted, body: this.decrypt(file, variant, start, end) };
  }

  /**
   * Checks that every attachment exists in the actor's organisation and was uploaded by the actor.
   * (Posting someone else's media would give a channel access to it.)
   */
  async requireOwnMedia(actor: Actor, mediaIds: string[]): Promise<void> {
    for (const id of new Set(mediaIds)) {
      const file = await this.repo.find(actor.orgId, id);
      if (!file || file.uploaderId !== actor.userId) throw new DomainError(ErrorCode.NotFound, `media ${id} not found`);
    }
  }

  /** Posting media in a channel makes it readable by that channel's members. */
  async grantToChannel(orgId: string, channelId: string, mediaIds: string[]): Promise<void> {
    for (const mediaId of new Set(mediaIds)) await this.repo.grant({ orgId, mediaId, channelId, createdAt: new Date() });
  }

  private async requireReadable(actor: Actor, mediaId: string): Promise<MediaFile> {
    const file = await this.repo.find(actor.orgId, mediaId);
    if (!file) throw new DomainError(ErrorCode.NotFound, `media ${mediaId} not found`);
    if (file.uploaderId === actor.userId) return file;
    for (const channelId of await this.repo.grantedChannels(actor.orgId, mediaId)) {
      try {
        await this.membership.requireMember(actor, channelId);
        return file;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === ErrorCode.NotFound)) throw err;
      }
    }
    throw new DomainError(ErrorCode.NotFound, `media ${mediaId} not found`);
  }

  private async requireTicket(orgId: string, id: string, purpose: MediaTicket['purpose']): Promise<MediaTicket> {
    const ticket = await this.repo.findTicket(orgId, id, new Date());
    if (!ticket || ticket.purpose !== purpose) throw new DomainError(ErrorCode.NotFound, 'ticket not found or expired');
    return ticket;
  }

  private async ticket(t: Omit<MediaTicket, '_id' | 'expiresAt'>): Promise<MediaTicketResult> {
    const expiresAt = new Date(Date.now() + MEDIA_TICKET_TTL_MS);
    const id = randomBytes(24).toString('base64url');
    await this.repo.saveTicket({ _id: id, ...t, expiresAt });
    return { ticket: id, expiresAt: expiresAt.toISOString() };
  }

  private async *decrypt(file: MediaFile, variant: MediaVariant, start: number, end: number): AsyncIterable<Buffer> {
    const first = Math.floor(start / file.chunkSize);
    const last = Math.floor(end / file.chunkSize);
    for (let from = first; from <= last; from += CHUNK_BATCH) {
      const to = Math.min(last, from + CHUNK_BATCH - 1);
      const sealed = await this.repo.chunks(file.orgId, file._id, variant, from, to);
      if (sealed.length !== to - from + 1) throw new Error(`media ${file._id} is missing chunks ${from}..${to}`);
      for (let i = 0; i < sealed.length; i++) {
        const n = from + i;
        const plain = this.cipher.open(sealed[i], chunkAad(file._id, variant, n));
        const offset = n * file.chunkSize;
        yield plain.subarray(Math.max(0, start - offset), Math.min(plain.length, end - offset + 1));
      }
    }
  }
}

const chunkAad = (mediaId: string, variant: MediaVariant, n: number): string => `${mediaId}:${variant}:${n}`;

export function toMediaView(f: MediaFile): MediaView {
  return {
    id: f._id,
    kind: f.kind,
    contentType: f.original.contentType,
    size: f.original.size,
    hasThumbnail: f.thumbnail !== null,
    ...(f.width !== undefined ? { width: f.width } : {}),
    ...(f.height !== undefined ? { height: f.height } : {}),
    createdAt: f.createdAt.toISOString(),
  };
}

/**
 * Re-encodes stills so nothing of the original's metadata (EXIF, GPS, XMP, ICC comments) survives: sharp
 * writes none unless asked. The orientation is applied to the pixels first so photos stay upright.
 * GIFs carry no EXIF; they are kept as uploaded so animations survive.
 */
async function processImage(bytes: Buffer, contentType: string): Promise<{ original: Buffer; thumbnail: Buffer; dims: { width?: number; height?: number } }> {
  try {
    const meta = await sharp(bytes).metadata();
    let original = bytes;
    if (contentType === 'image/jpeg') original = await sharp(bytes).rotate().jpeg({ quality: 90 }).toBuffer();
    else if (contentType === 'image/png') original = await sharp(bytes).rotate().png().toBuffer();
    else if (contentType === 'image/webp') original = await sharp(bytes).rotate().webp({ quality: 90 }).toBuffer();
    const thumbnail = await sharp(bytes).rotate().resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    const upright = (meta.orientation ?? 1) >= 5;
    return { original, thumbnail, dims: { width: upright ? meta.height : meta.width, height: upright ? meta.width : meta.height } };
  } catch {
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'the image could not be decoded');
  }
}
