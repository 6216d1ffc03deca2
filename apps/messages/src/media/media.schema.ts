import { Schema } from 'mongoose';
import type { StoredBox } from '@wellifiy/crypto';
import { MEDIA_KINDS, MEDIA_VARIANTS, MediaKind, MediaVariant } from '@wellifiy/contracts';

/*
 * GridFS layout (a files collection + a chunks collection), written by hand: each chunk is encrypted on
 * its own (AES-256-GCM), so a range request decrypts only the chunks it covers, which GridFSBucket's
 * plaintext streaming cannot do.
 */
export interface MediaVariantInfo {
  contentType: string;
  size: number;
  chunks: number;
}

export interface MediaFileDoc {
  _id: string;
  orgId: string;
  uploaderId: string;
  kind: MediaKind;
  chunkSize: number;
  original: MediaVariantInfo;
  thumbnail: MediaVariantInfo | null;
  width?: number;
  height?: number;
  createdAt: Date;
  /**
   * false from upload until the media is posted in a message or made an avatar; unattached media is deleted by its
   * media-cleanup job, MEDIA_UNATTACHED_MAX_AGE_MINUTES after upload. Absent on files stored before the field
   * existed: those are never deleted.
   */
  attached?: boolean;
  /** The user whose avatar this image is: whoever may see that user's profile may read it. */
  avatarOf?: string | null;
  /** original + thumbnail bytes, summed for the media quota (absent on files stored before the quota: not counted). */
  bytes?: number;
  /** true while an upload streams in (chunks being written): such a file is invisible, and swept if never finished. */
  pending?: boolean;
  /**
   * The file's content key, sealed through the key hierarchy (`media-key:<id>`; MediaCipher): under `sealedFor`'s
   * patient key, or the master ring while null. Absent on files stored before file keys: each chunk has its own.
   */
  key?: StoredBox;
  /** The patient whose key seals `key` (the uploading patient, or the patient of the first channel it was posted in). */
  sealedFor?: string | null;
}

const variantInfo = new Schema<MediaVariantInfo>(
  { contentType: { type: String, required: true }, size: { type: Number, required: true }, chunks: { type: Number, required: true } },
  { _id: false },
);

export const MediaFileSchema = new Schema<MediaFileDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    uploaderId: { type: String, required: true },
    kind: { type: String, enum: MEDIA_KINDS, required: true },
    chunkSize: { type: Number, required: true },
    original: { type: variantInfo, required: true },
    thumbnail: { type: variantInfo, default: null },
    width: Number,
    height: Number,
    createdAt: { type: Date, required: true },
    attached: Boolean,
    bytes: Number,
    avatarOf: { type: String, default: null },
    pending: Boolean,
    key: { type: Object },
    sealedFor: { type: String, default: null },
  },
  { collection: 'media.files', versionKey: false },
);
// serves: a user's stored bytes (the media quota, { orgId, uploaderId }) and releasing their previous avatar
MediaFileSchema.index({ orgId: 1, uploaderId: 1 });

export interface MediaChunkDoc {
  /** `<mediaId>:<variant>:<n>` */
  _id: string;
  orgId: string;
  mediaId: string;
  variant: MediaVariant;
  n: number;
  /** Only on chunks stored before file keys (each its own master-ring envelope). */
  keyId?: string;
  iv: string;
  tag: string;
  wrappedKey?: string;
  data: Buffer;
}

export const MediaChunkSchema = new Schema<MediaChunkDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    mediaId: { type: String, required: true },
    variant: { type: String, enum: MEDIA_VARIANTS, required: true },
    n: { type: Number, required: true },
    keyId: { type: String },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    wrappedKey: { type: String },
    data: { type: Buffer, required: true },
  },
  { collection: 'media.chunks', versionKey: false },
);
// serves: reading a variant's chunks n..m in order for a (range) download, and deleting a media's chunks ({ mediaId })
MediaChunkSchema.index({ mediaId: 1, variant: 1, n: 1 }, { unique: true });

/** A channel the media was posted in: its members may read it. One insert per (media, channel). */
export interface MediaGrantDoc {
  /** `<mediaId>:<channelId>` — the unique _id makes granting twice harmless. */
  _id: string;
  orgId: string;
  mediaId: string;
  channelId: string;
  createdAt: Date;
}

export const MediaGrantSchema = new Schema<MediaGrantDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    mediaId: { type: String, required: true },
    channelId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'media.grants', versionKey: false },
);
// serves: the channels a media may be read through (access check)
MediaGrantSchema.index({ mediaId: 1 });

/** Append-only read audit (DESIGN §3): who fetched which media, when. */
export interface MediaReadDoc {
  _id: string;
  orgId: string;
  mediaId: string;
  variant: MediaVariant;
  readerId: string;
  readerKind: string;
  at: Date;
}

export const MediaReadSchema = new Schema<MediaReadDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    mediaId: { type: String, required: true },
    variant: { type: String, required: true },
    readerId: { type: String, required: true },
    readerKind: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'media.reads', versionKey: false },
);
// serves: the audit trail of one media, newest first
MediaReadSchema.index({ mediaId: 1, at: -1 });

/** A short-lived permission, issued over RPC, to move bytes over the internal HTTP endpoint. */
export interface MediaTicketDoc {
  /** Random, unguessable. */
  _id: string;
  orgId: string;
  purpose: 'upload' | 'read';
  userId: string;
  /** The ticket holder's kind: a patient's upload is sealed under their own key. */
  userKind?: string;
  mediaId: string | null;
  variant: MediaVariant | null;
  expiresAt: Date;
}

export const MediaTicketSchema = new Schema<MediaTicketDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    purpose: { type: String, enum: ['upload', 'read'], required: true },
    userId: { type: String, required: true },
    userKind: { type: String },
    mediaId: { type: String, default: null },
    variant: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'media.tickets', versionKey: false },
);
// serves: pruning expired tickets
MediaTicketSchema.index({ expiresAt: 1 });

export const MEDIA_FILE_MODEL = 'MediaFile';
export const MEDIA_CHUNK_MODEL = 'MediaChunk';
export const MEDIA_GRANT_MODEL = 'MediaGrant';
export const MEDIA_READ_MODEL = 'MediaRead';
export const MEDIA_TICKET_MODEL = 'MediaTicket';
