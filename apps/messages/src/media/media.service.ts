import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { PatientKeyErasedError } from '@wellifiy/crypto';
import {
  Actor, DomainError, ErrorCode, MediaKind, MediaSetAvatarResult, MediaTicket as MediaTicketResult, MediaVariant, MediaView,
} from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { MessagesConfig } from '../config/messages.config';
import { MediaCleanupScheduler } from '../jobs/media-cleanup.job';
import { MembershipService } from '../membership/membership.service';
import { MediaCipher } from './media-cipher';
import { ByteRange } from './media-range';
import { DetectedType, detectMediaType, MEDIA_TYPE_PROBE_BYTES } from './media-type';
import { MediaFile, MediaRepository, MediaTicket, StoredChunk } from './media.repository';
import { MediaVariantInfo } from './media.schema';

export const MEDIA_CHUNK_SIZE = 256 * 1024;
export const MEDIA_TICKET_TTL_MS = 60_000;
const THUMBNAIL_EDGE = 320;
/** Chunks decrypted per database round trip while streaming. */
const CHUNK_BATCH = 8;

/** Sealed chunks written per database round trip while an upload streams in. */
const CHUNKS_PER_WRITE = 4;

export interface MediaLimits {
  image: number;
  video: number;
}

/** Size limit per kind, checked once the type is known from the bytes. */
export function checkMediaSize(kind: MediaKind, size: number, limits: MediaLimits): void {
  if (size > limits[kind]) throw new DomainError(ErrorCode.PayloadTooLarge, `${kind}s may be at most ${limits[kind]} bytes`);
}

/** What an upload may still add to its uploader's stored bytes. */
interface Allowance {
  quota: number;
  left: number;
}

function checkQuota(size: number, allowance: Allowance): void {
  if (size > allowance.left) {
    throw new DomainError(
      ErrorCode.MediaQuotaExceeded,
      `media quota exceeded: you may store ${allowance.quota} bytes of media and have ${Math.max(0, allowance.left)} left (uploads never posted are removed after a while)`,
    );
  }
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
  private readonly quota: number;
  private readonly maxImagePixels: number;
  private readonly unattachedMaxAgeMs: number;

  constructor(
    private readonly repo: MediaRepository,
    private readonly cipher: MediaCipher,
    private readonly membership: MembershipService,
    private readonly cleanup: MediaCleanupScheduler,
    config: MessagesConfig,
  ) {
    this.limits = { image: config.MEDIA_MAX_IMAGE_BYTES, video: config.MEDIA_MAX_VIDEO_BYTES };
    this.quota = config.MEDIA_QUOTA_BYTES_PER_USER;
    this.maxImagePixels = config.MEDIA_MAX_IMAGE_PIXELS;
    this.unattachedMaxAgeMs = config.MEDIA_UNATTACHED_MAX_AGE_MINUTES * 60_000;
  }

  /** The most bytes an upload may have before its type is known (the larger limit). */
  get maxUploadBytes(): number {
    return Math.max(this.limits.image, this.limits.video);
  }

  async uploadTicket(actor: Actor): Promise<MediaTicketResult> {
    // Expired tickets are useless; uploads are rare enough to clear the organisation's on each one.
    await this.repo.pruneTickets(actor.orgId, new Date());
    return this.ticket({ orgId: actor.orgId, userId: actor.userId, userKind: actor.kind, purpose: 'upload', mediaId: null, variant: null });
  }

  /** NOT_FOUND unless the actor uploaded the media or is a member of a channel it was posted in. Audited. */
  async readTicket(actor: Actor, mediaId: string, variant: MediaVariant): Promise<MediaTicketResult> {
    const file = await this.requireReadable(actor, mediaId);
    if (variant === 'thumbnail' && !file.thumbnail) throw new DomainError(ErrorCode.NotFound, `media ${mediaId} has no thumbnail`);
    (await this.fileKey(file))?.fill(0); // an erased patient's media: NOT_FOUND, saying why
    await this.repo.audit({ orgId: actor.orgId, mediaId, variant, readerId: actor.userId, readerKind: actor.kind, at: new Date() });
    return this.ticket({ orgId: actor.orgId, userId: actor.userId, purpose: 'read', mediaId, variant });
  }

  /**
   * Stores an upload made with an upload ticket as its bytes arrive: the type from the first bytes, the size
   * limit of that type and the uploader's quota enforced while reading (PAYLOAD_TOO_LARGE / MEDIA_QUOTA_EXCEEDED
   * the moment a byte passes them), encrypted chunk by chunk. Videos are never held whole; an image is (at most
   * MEDIA_MAX_IMAGE_BYTES) because it is re-encoded without metadata and thumbnailed.
   */
  async upload(orgId: string, ticketId: string, body: Buffer | AsyncIterable<Buffer>): Promise<MediaView> {
    const ticket = await this.requireTicket(orgId, ticketId, 'upload');
    const allowance: Allowance = { quota: this.quota, left: this.quota - (await this.repo.storedBytes(orgId, ticket.userId)) };
    checkQuota(0, allowance);
    const input = new ByteReader(Buffer.isBuffer(body) ? [body] : body);
    const type = detectMediaType(await input.peek(MEDIA_TYPE_PROBE_BYTES));
    if (!type) throw new DomainError(ErrorCode.UnsupportedMediaType, 'only jpeg, png, webp and gif images and mp4, webm and quicktime videos are accepted');
    const admit = (size: number): void => {
      checkMediaSize(type.kind, size, this.limits);
      checkQuota(size, allowance);
    };

    const mediaId = newId('med');
    // A patient's upload is theirs from the first byte: sealed under their key. A team member's waits, under the
    // master ring, for the channel it is posted in (grantToChannel).
    const sealedFor = ticket.userKind === 'patient' ? ticket.userId : null;
    const fileKey = await this.cipher.newFileKey(mediaId, sealedFor ? { orgId, patientId: sealedFor } : null);
    const file: MediaFile = {
      _id: mediaId,
      orgId,
      uploaderId: ticket.userId,
      kind: type.kind,
      chunkSize: MEDIA_CHUNK_SIZE,
      original: { contentType: type.contentType, size: 0, chunks: 0 },
      thumbnail: null,
      createdAt: new Date(),
      attached: false,
      avatarOf: null,
      key: fileKey.stored,
      sealedFor,
    };
    await this.repo.begin(file);
    try {
      // Scheduled before any byte is stored: an upload whose process dies midway is removed by the same job.
      await this.cleanup.schedule({ orgId, mediaId: file._id }, this.unattachedMaxAgeMs);
      const done = type.kind === 'image' ? await this.storeImage(file, fileKey.key, type, input, admit, allowance) : await this.storeStream(file, fileKey.key, type, input, admit);
      await this.repo.complete(orgId, file._id, done);
      return toMediaView({ ...file, ...done });
    } catch (err) {
      await this.repo.discard(orgId, file._id);
      throw err;
    } finally {
      fileKey.key.fill(0);
    }
  }

  private async storeImage(
    file: MediaFile,
    fileKey: Buffer,
    type: DetectedType,
    input: ByteReader,
    admit: (size: number) => void,
    allowance: Allowance,
  ): Promise<Pick<MediaFile, 'original' | 'thumbnail' | 'width' | 'height'>> {
    const parts: Buffer[] = [];
    for await (const chunk of input.rest(admit)) parts.push(chunk);
    const { original, thumbnail, dims } = await processImage(Buffer.concat(parts), type.contentType, this.maxImagePixels);
    checkQuota(original.length + thumbnail.length, allowance); // what is stored: the re-encoded original and its thumbnail
    const sealer = new ChunkSealer(this.cipher, fileKey, file, 'original');
    await this.flush(file, sealer.add(original));
    const originalInfo = await this.finish(file, sealer, type.contentType);
    const thumbSealer = new ChunkSealer(this.cipher, fileKey, file, 'thumbnail');
    await this.flush(file, thumbSealer.add(thumbnail));
    return { original: originalInfo, thumbnail: await this.finish(file, thumbSealer, 'image/webp'), ...dims };
  }

  private async storeStream(file: MediaFile, fileKey: Buffer, type: DetectedType, input: ByteReader, admit: (size: number) => void): Promise<Pick<MediaFile, 'original' | 'thumbnail'>> {
    const sealer = new ChunkSealer(this.cipher, fileKey, file, 'original');
    let pending: StoredChunk[] = [];
    for await (const chunk of input.rest(admit)) {
      pending.push(...sealer.add(chunk));
      if (pending.length >= CHUNKS_PER_WRITE) {
        await this.flush(file, pending);
        pending = [];
      }
    }
    await this.flush(file, pending);
    return { original: await this.finish(file, sealer, type.contentType), thumbnail: null };
  }

  private flush(file: MediaFile, chunks: StoredChunk[]): Promise<void> {
    return this.repo.addChunks(file.orgId, file._id, chunks);
  }

  private async finish(file: MediaFile, sealer: ChunkSealer, contentType: string): Promise<MediaVariantInfo> {
    await this.flush(file, sealer.end());
    return { contentType, size: sealer.size, chunks: sealer.count };
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
    // Opened before any byte is answered: an erased patient's media is a clean NOT_FOUND, not a cut-off stream.
    const fileKey = await this.fileKey(file);
    return { contentType: info.contentType, size: info.size, range: wanted, body: this.decrypt(file, fileKey, variant, start, end) };
  }

  /**
   * Checks that every attachment exists in the actor's organisation and was uploaded by the actor, and marks
   * them attached (the media-cleanup job keeps them). Posting someone else's media would give a channel access to it.
   */
  async requireOwnMedia(actor: Actor, mediaIds: string[]): Promise<void> {
    for (const id of new Set(mediaIds)) {
      const file = await this.repo.find(actor.orgId, id);
      if (!file || file.uploaderId !== actor.userId) throw new DomainError(ErrorCode.NotFound, `media ${id} not found`);
    }
    const ids = [...new Set(mediaIds)];
    // Marking fails only for media deleted since the check (the cleanup job won the race): not found either.
    if ((await this.repo.markAttached(actor.orgId, actor.userId, ids)) !== ids.length) throw new DomainError(ErrorCode.NotFound, 'media not found');
  }

  /**
   * Makes the actor's own image upload their avatar (null: none), readable by whoever may see their profile.
   * Another user's media, a video, or media that does not exist is refused (VALIDATION_FAILED → 400).
   */
  async setAvatar(actor: Pick<Actor, 'orgId' | 'userId'>, mediaId: string | null): Promise<MediaSetAvatarResult> {
    if (mediaId !== null) {
      const file = await this.repo.find(actor.orgId, mediaId);
      if (!file) throw new DomainError(ErrorCode.ValidationFailed, `avatarMediaId: media ${mediaId} does not exist`);
      if (file.uploaderId !== actor.userId) throw new DomainError(ErrorCode.ValidationFailed, `avatarMediaId: media ${mediaId} is not your own upload`);
      if (file.kind !== 'image') throw new DomainError(ErrorCode.ValidationFailed, `avatarMediaId: media ${mediaId} is a ${file.kind}, an avatar must be an image`);
    }
    await this.repo.setAvatar(actor.orgId, actor.userId, mediaId);
    return { avatarMediaId: mediaId };
  }

  /**
   * Posting media in a channel makes it readable by that channel's members. In a patient's channel (`sealedFor`,
   * as the message is sealed) media of no patient yet is resealed under that patient's key first.
   */
  async grantToChannel(orgId: string, channelId: string, mediaIds: string[], sealedFor: string | null = null): Promise<void> {
    for (const mediaId of new Set(mediaIds)) {
      if (sealedFor) {
        const file = await this.repo.find(orgId, mediaId);
        if (file?.key && !file.sealedFor) await this.repo.sealFor(orgId, mediaId, sealedFor, await this.cipher.resealFileKey(mediaId, file.key, { orgId, patientId: sealedFor }));
      }
      await this.repo.grant({ orgId, mediaId, channelId, createdAt: new Date() });
    }
  }

  /** The file's content key (null for a file stored before file keys); NOT_FOUND, saying so, when its patient was erased. */
  private async fileKey(file: MediaFile): Promise<Buffer | null> {
    if (!file.key) return null;
    try {
      return await this.cipher.openFileKey(file._id, file.key);
    } catch (err) {
      if (err instanceof PatientKeyErasedError) {
        throw new DomainError(ErrorCode.NotFound, `media ${file._id} was erased with its patient: its content can no longer be opened`);
      }
      throw err;
    }
  }

  private async requireReadable(actor: Actor, mediaId: string): Promise<MediaFile> {
    const file = await this.repo.find(actor.orgId, mediaId);
    if (!file) throw new DomainError(ErrorCode.NotFound, `media ${mediaId} not found`);
    if (file.uploaderId === actor.userId) return file;
    // An avatar is as visible as its owner's profile (rule 9): the owner and anyone sharing a channel with them.
    if (file.avatarOf && (await this.membership.maySeeProfileOf(actor, file.avatarOf))) return file;
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

  private async *decrypt(file: MediaFile, fileKey: Buffer | null, variant: MediaVariant, start: number, end: number): AsyncIterable<Buffer> {
    try {
      yield* this.decryptWith(file, fileKey, variant, start, end);
    } finally {
      fileKey?.fill(0);
    }
  }

  private async *decryptWith(file: MediaFile, fileKey: Buffer | null, variant: MediaVariant, start: number, end: number): AsyncIterable<Buffer> {
    const first = Math.floor(start / file.chunkSize);
    const last = Math.floor(end / file.chunkSize);
    for (let from = first; from <= last; from += CHUNK_BATCH) {
      const to = Math.min(last, from + CHUNK_BATCH - 1);
      const sealed = await this.repo.chunks(file.orgId, file._id, variant, from, to);
      if (sealed.length !== to - from + 1) throw new Error(`media ${file._id} is missing chunks ${from}..${to}`);
      for (let i = 0; i < sealed.length; i++) {
        const n = from + i;
        const plain = this.cipher.open(sealed[i], chunkAad(file._id, variant, n), fileKey);
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
 * GIFs carry no EXIF; they are kept as uploaded so animations survive. `limitInputPixels` makes sharp refuse,
 * from the header and before decoding, an image whose pixels would take far more memory than its bytes
 * (a decompression bomb).
 */
async function processImage(
  bytes: Buffer,
  contentType: string,
  maxPixels: number,
): Promise<{ original: Buffer; thumbnail: Buffer; dims: { width?: number; height?: number } }> {
  const image = (): ReturnType<typeof sharp> => sharp(bytes, { limitInputPixels: maxPixels });
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    // The header only (nothing is decoded), read without the limit so the refusal below can say what it saw.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'the image could not be decoded');
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0) * Math.max(1, meta.pages ?? 1);
  if (pixels > maxPixels) throw new DomainError(ErrorCode.PayloadTooLarge, `images may have at most ${maxPixels} pixels (this one has ${pixels})`);
  try {
    let original = bytes;
    if (contentType === 'image/jpeg') original = await image().rotate().jpeg({ quality: 90 }).toBuffer();
    else if (contentType === 'image/png') original = await image().rotate().png().toBuffer();
    else if (contentType === 'image/webp') original = await image().rotate().webp({ quality: 90 }).toBuffer();
    const thumbnail = await image().rotate().resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    const upright = (meta.orientation ?? 1) >= 5;
    return { original, thumbnail, dims: { width: upright ? meta.height : meta.width, height: upright ? meta.width : meta.height } };
  } catch (err) {
    if (/pixel limit/i.test((err as Error).message)) throw new DomainError(ErrorCode.PayloadTooLarge, `images may have at most ${maxPixels} pixels`);
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'the image could not be decoded');
  }
}

/**
 * An upload's bytes as they arrive: the first few can be looked at before the rest is read, and `rest`
 * counts every byte, calling `admit(total)` before passing a chunk on, so a limit stops the read there.
 */
class ByteReader {
  private readonly source: AsyncIterator<Buffer>;
  private head: Buffer[] = [];
  private done = false;

  constructor(body: Iterable<Buffer> | AsyncIterable<Buffer>) {
    this.source = (async function* () {
      for await (const chunk of body) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    })();
  }

  /** At least `n` bytes from the start (fewer if the upload is shorter), without consuming them. */
  async peek(n: number): Promise<Buffer> {
    let have = this.head.reduce((sum, b) => sum + b.length, 0);
    while (have < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.head.push(next.value);
        have += next.value.length;
      }
    }
    return Buffer.concat(this.head);
  }

  async *rest(admit: (total: number) => void): AsyncIterable<Buffer> {
    let total = 0;
    const pass = (chunk: Buffer): Buffer => {
      total += chunk.length;
      admit(total);
      return chunk;
    };
    for (const chunk of this.head) yield pass(chunk);
    this.head = [];
    if (this.done) return;
    for (let next = await this.source.next(); !next.done; next = await this.source.next()) yield pass(next.value);
  }
}

/** Cuts a variant's bytes into MEDIA_CHUNK_SIZE pieces and seals each (AES-256-GCM, bound to media, variant and index). */
class ChunkSealer {
  size = 0;
  count = 0;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly cipher: MediaCipher,
    private readonly fileKey: Buffer,
    private readonly file: MediaFile,
    private readonly variant: MediaVariant,
  ) {}

  add(data: Buffer): StoredChunk[] {
    this.size += data.length;
    this.buffered.push(data);
    this.bufferedBytes += data.length;
    if (this.bufferedBytes < this.file.chunkSize) return [];
    const all = Buffer.concat(this.buffered);
    const out: StoredChunk[] = [];
    let offset = 0;
    for (; all.length - offset >= this.file.chunkSize; offset += this.file.chunkSize) out.push(this.seal(all.subarray(offset, offset + this.file.chunkSize)));
    const left = all.subarray(offset);
    this.buffered = left.length ? [left] : [];
    this.bufferedBytes = left.length;
    return out;
  }

  /** The last, partial chunk; an empty variant still gets one (empty) chunk. */
  end(): StoredChunk[] {
    if (this.bufferedBytes === 0 && this.count > 0) return [];
    const last = this.seal(Buffer.concat(this.buffered));
    this.buffered = [];
    this.bufferedBytes = 0;
    return [last];
  }

  private seal(plain: Buffer): StoredChunk {
    const n = this.count++;
    return { variant: this.variant, n, sealed: this.cipher.seal(this.fileKey, plain, chunkAad(this.file._id, this.variant, n)) };
  }
}
