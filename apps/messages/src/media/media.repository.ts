import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MediaVariant } from '@wellifiy/contracts';
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

export abstract class MediaRepository {
  /** Chunks first, the file document last: a file that is visible is complete. */
  abstract store(file: MediaFile, chunks: { variant: MediaVariant; n: number; sealed: SealedChunk }[]): Promise<void>;
  abstract find(orgId: string, mediaId: string): Promise<MediaFile | null>;
  /** Sealed chunks from..to (inclusive) of a variant, in order. */
  abstract chunks(orgId: string, mediaId: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]>;
  abstract grant(grant: MediaGrant): Promise<void>;
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

  async store(file: MediaFile, chunks: { variant: MediaVariant; n: number; sealed: SealedChunk }[]): Promise<void> {
    for (const { variant, n, sealed } of chunks) {
      const doc: MediaChunkDoc = { _id: `${file._id}:${variant}:${n}`, orgId: file.orgId, mediaId: file._id, variant, n, ...sealed };
      await this.chunkDocs.collection.insertOne(doc as never);
    }
    await this.files.collection.insertOne({ ...file } as never);
  }

  async find(orgId: string, mediaId: string): Promise<MediaFile | null> {
    return this.files.findOne({ _id: mediaId, orgId }).lean<MediaFile>();
  }

  async chunks(orgId: string, mediaId: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]> {
    const docs = await this.chunkDocs
      .find({ orgId, mediaId, variant, n: { $gte: from, $lte: to } })
      .sort({ n: 1 })
      .lean<MediaChunkDoc[]>();
    return docs.map((d) => ({ keyId: d.keyId, iv: d.iv, tag: d.tag, wrappedKey: d.wrappedKey, data: asBuffer(d.data) }));
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
