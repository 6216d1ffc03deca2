import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MediaVariant } from '@wellifiy/contracts';
import type { StoredBox } from '@wellifiy/crypto';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { SealedChunk } from './media-cipher';
import {
  MEDIA_CHUNK_MODEL,
  MEDIA_FILE_MODEL,
  MEDIA_GRANT_MODEL,
  MEDIA_READ_MODEL,
  MEDIA_TICKET_MODEL,
  MediaChunkDoc,
  MediaFileDoc,
  MediaGrantDoc,
  MediaReadDoc,
  MediaTicketDoc,
} from './media.schema';

export type MediaFile = MediaFileDoc;
export type MediaTicket = MediaTicketDoc;
export type MediaGrant = Omit<MediaGrantDoc, '_id'>;
export type MediaRead = Omit<MediaReadDoc, '_id'>;

export interface StoredChunk {
  variant: MediaVariant;
  n: number;
  sealed: SealedChunk;
}

/** What an upload learns once all its bytes are in. */
export type CompletedUpload = Pick<MediaFile, 'original' | 'thumbnail' | 'width' | 'height'>;

export abstract class MediaRepository {
  /**
   * An upload in three steps, so bytes are written as they arrive: `begin` stores the file as pending (never
   * visible), `addChunks` its sealed chunks, `complete` makes it visible. A pending file that is never
   * completed (refused, or its process died) is removed by `discard` or by the media-cleanup sweep.
   */
  abstract begin(file: MediaFile): Promise<void>;
  abstract addChunks(orgId: string, mediaId: string, chunks: StoredChunk[]): Promise<void>;
  abstract complete(orgId: string, mediaId: string, done: CompletedUpload): Promise<void>;
  /** Deletes a media's chunks, then its file document. */
  abstract discard(orgId: string, mediaId: string): Promise<void>;
  /** A complete media of the organisation (pending ones are not found). */
  abstract find(orgId: string, mediaId: string): Promise<MediaFile | null>;
  /** Bytes of the user's stored media (originals and thumbnails of complete uploads). */
  abstract storedBytes(orgId: string, userId: string): Promise<number>;
  /** Marks the user's media attached (posted or an avatar); returns how many of them exist. */
  abstract markAttached(orgId: string, userId: string, mediaIds: string[]): Promise<number>;
  /** Makes `mediaId` (null: none) the user's avatar; their other media stop being it. */
  abstract setAvatar(orgId: string, userId: string, mediaId: string | null): Promise<void>;
  /** Deletes the media if it is still unattached (posting it meanwhile wins); false when it was not deleted. */
  abstract deleteIfUnattached(orgId: string, mediaId: string): Promise<boolean>;
  /** Retention: deletes posted media (file, then its bytes) unless it is someone's avatar. Repeatable. */
  abstract deleteForRetention(orgId: string, mediaId: string): Promise<void>;
  /** Sealed chunks from..to (inclusive) of a variant, in order. */
  abstract chunks(orgId: string, mediaId: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]>;
  abstract grant(grant: MediaGrant): Promise<void>;
  /** Reseals a file's content key for a patient; only while it is sealed for none (the first patient wins). */
  abstract sealFor(orgId: string, mediaId: string, patientId: string, key: StoredBox): Promise<void>;
  abstract grantedChannels(orgId: string, mediaId: string): Promise<string[]>;
  abstract audit(read: MediaRead): Promise<void>;
  abstract readsOf(orgId: string, mediaId: string): Promise<MediaRead[]>;
  abstract saveTicket(ticket: MediaTicket): Promise<void>;
  abstract findTicket(orgId: string, id: string, now: Date): Promise<MediaTicket | null>;
  /** Deletes the organisation's tickets that expired before `now`; returns how many. */
  abstract pruneTickets(orgId: string, now: Date): Promise<number>;
}

@Injectable()
export class MongoMediaRepository extends MediaRepository {
  constructor(
    @InjectModel(MEDIA_FILE_MODEL) private readonly files: Model<MediaFileDoc>,
    @InjectModel(MEDIA_CHUNK_MODEL) private readonly chunkDocs: Model<MediaChunkDoc>,
    @InjectModel(MEDIA_GRANT_MODEL) private readonly grants: Model<MediaGrantDoc>,
    @InjectModel(MEDIA_READ_MODEL) private readonly reads: Model<MediaReadDoc>,
    @InjectModel(MEDIA_TICKET_MODEL) private readonly tickets: Model<MediaTicketDoc>,
  ) {
    super();
  }

  async begin(file: MediaFile): Promise<void> {
    await this.files.collection.insertOne({ ...file, pending: true } as never);
  }

  async addChunks(orgId: string, mediaId: string, chunks: StoredChunk[]): Promise<void> {
    if (!chunks.length) return;
    const docs: MediaChunkDoc[] = chunks.map(({ variant, n, sealed }) => ({ _id: `${mediaId}:${variant}:${n}`, orgId, mediaId, variant, n, ...sealed }));
    await this.chunkDocs.collection.insertMany(docs as never[], { ordered: true });
  }

  async complete(orgId: string, mediaId: string, done: CompletedUpload): Promise<void> {
    const dims = { ...(done.width !== undefined ? { width: done.width } : {}), ...(done.height !== undefined ? { height: done.height } : {}) };
    await this.files.collection.updateOne(
      { _id: mediaId as never, orgId },
      { $set: { original: done.original, thumbnail: done.thumbnail, ...dims, bytes: done.original.size + (done.thumbnail?.size ?? 0), pending: false } },
    );
  }

  async discard(orgId: string, mediaId: string): Promise<void> {
    // serves: { mediaId, variant, n } index (prefix)
    await this.chunkDocs.deleteMany({ mediaId, orgId });
    await this.files.deleteOne({ _id: mediaId, orgId });
  }

  async find(orgId: string, mediaId: string): Promise<MediaFile | null> {
    return this.files.findOne({ _id: mediaId, orgId, pending: { $ne: true } }).lean<MediaFile>();
  }

  async storedBytes(orgId: string, userId: string): Promise<number> {
    // serves: { orgId, uploaderId } index. Simple aggregation only ($match, $group $sum), as both servers support.
    const [row] = await this.files.aggregate<{ total: number }>([
      { $match: { orgId, uploaderId: userId } },
      { $group: { _id: null, total: { $sum: '$bytes' } } },
    ]);
    return row?.total ?? 0;
  }

  async markAttached(orgId: string, userId: string, mediaIds: string[]): Promise<number> {
    let found = 0;
    for (const id of new Set(mediaIds)) {
      const res = await this.files.updateOne({ _id: id, orgId, uploaderId: userId, pending: { $ne: true } }, { $set: { attached: true } });
      found += res.matchedCount;
    }
    return found;
  }

  async setAvatar(orgId: string, userId: string, mediaId: string | null): Promise<void> {
    if (mediaId) await this.files.updateOne({ _id: mediaId, orgId, uploaderId: userId }, { $set: { avatarOf: userId, attached: true } });
    // serves: { orgId, uploaderId } index
    await this.files.updateMany({ orgId, uploaderId: userId, avatarOf: userId, ...(mediaId ? { _id: { $ne: mediaId } } : {}) }, { $set: { avatarOf: null } });
  }

  async deleteIfUnattached(orgId: string, mediaId: string): Promise<boolean> {
    // The file document goes first and only while unattached: a post that marked it attached meanwhile keeps it.
    const res = await this.files.deleteOne({ _id: mediaId, orgId, attached: false });
    if (res.deletedCount !== 1) return false;
    await this.chunkDocs.deleteMany({ mediaId, orgId });
    return true;
  }

  async deleteForRetention(orgId: string, mediaId: string): Promise<void> {
    // The file first: once it is gone the media is unreadable; a crash before the chunks are deleted is finished by the
    // next sweep, which repeats this for a message not yet marked purged.
    const file = await this.files.findOne({ _id: mediaId, orgId }, { avatarOf: 1 }).lean<{ avatarOf?: string | null }>();
    if (file?.avatarOf) return;
    if (file) await this.files.deleteOne({ _id: mediaId, orgId });
    // serves: { mediaId, variant, n } index (prefix)
    await this.chunkDocs.deleteMany({ mediaId, orgId });
  }

  async chunks(orgId: string, mediaId: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]> {
    const docs = await this.chunkDocs
      .find({ orgId, mediaId, variant, n: { $gte: from, $lte: to } })
      .sort({ n: 1 })
      .lean<MediaChunkDoc[]>();
    return docs.map((d) => ({ ...(d.keyId !== undefined && d.wrappedKey !== undefined ? { keyId: d.keyId, wrappedKey: d.wrappedKey } : {}), iv: d.iv, tag: d.tag, data: asBuffer(d.data) }));
  }

  async sealFor(orgId: string, mediaId: string, patientId: string, key: StoredBox): Promise<void> {
    await this.files.updateOne({ _id: mediaId, orgId, sealedFor: null }, { $set: { key, sealedFor: patientId } });
  }

  async grant(grant: MediaGrant): Promise<void> {
    try {
      await this.grants.collection.insertOne({ _id: `${grant.mediaId}:${grant.channelId}`, ...grant } as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // posted in this channel before: already readable there
    }
  }

  async grantedChannels(orgId: string, mediaId: string): Promise<string[]> {
    const docs = await this.grants.find({ orgId, mediaId }).select({ channelId: 1 }).lean<{ channelId: string }[]>();
    return docs.map((d) => d.channelId);
  }

  async audit(read: MediaRead): Promise<void> {
    await this.reads.collection.insertOne({ _id: `mread_${crypto.randomUUID()}`, ...read } as never);
  }

  async readsOf(orgId: string, mediaId: string): Promise<MediaRead[]> {
    const docs = await this.reads.find({ orgId, mediaId }).sort({ at: -1 }).select({ _id: 0 }).lean<MediaRead[]>();
    return docs;
  }

  async saveTicket(ticket: MediaTicket): Promise<void> {
    await this.tickets.collection.insertOne({ ...ticket } as never);
  }

  async findTicket(orgId: string, id: string, now: Date): Promise<MediaTicket | null> {
    return this.tickets.findOne({ _id: id, orgId, expiresAt: { $gt: now } }).lean<MediaTicket>();
  }

  async pruneTickets(orgId: string, now: Date): Promise<number> {
    const res = await this.tickets.deleteMany({ orgId, expiresAt: { $lte: now } });
    return res.deletedCount;
  }
}

/** The driver hands back BSON Binary for Buffer fields read with lean(). */
function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const bin = value as { buffer?: Uint8Array; value?: () => Uint8Array };
  if (bin.buffer instanceof Uint8Array) return Buffer.from(bin.buffer);
  throw new Error('unexpected binary field');
}
