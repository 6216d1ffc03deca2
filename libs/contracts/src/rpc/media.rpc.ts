import { IsIn, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ActorRequest, RpcEntry } from './common';

/**
 * Media bytes never travel over RabbitMQ: these RPCs only authorize. The caller gets a short-lived
 * ticket and moves the bytes over the messages service's internal HTTP endpoint (see apps/messages/README.md).
 */
export const MediaRpc = {
  MediaUploadTicket: 'messages.media.upload-ticket',
  MediaReadTicket: 'messages.media.read-ticket',
  /** The channels service, before storing a patient's avatarMediaId: checks the media and makes it the user's avatar. */
  MediaSetAvatar: 'messages.media.set-avatar',
} as const;

export const MEDIA_VARIANTS = ['original', 'thumbnail'] as const;
export type MediaVariant = (typeof MEDIA_VARIANTS)[number];

export const MEDIA_KINDS = ['image', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** What the upload returns and GET /v1/media/:id describes. */
export interface MediaView {
  id: string;
  kind: MediaKind;
  contentType: string;
  size: number;
  hasThumbnail: boolean;
  width?: number;
  height?: number;
  createdAt: string;
}

export class MediaUploadTicketRequest extends ActorRequest {}

export class MediaReadTicketRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  mediaId!: string;

  @IsIn(MEDIA_VARIANTS)
  variant!: MediaVariant;
}

/**
 * mediaId null: the user has no avatar any more. Carries the patient's ids, not an actor: the channels service sends
 * it for the patient it authenticated through the gateway (broker-access.ts: only channels may send it).
 */
export class MediaSetAvatarRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;

  @ValidateIf((_, v) => v !== null) @IsString() @Matches(/^med_[A-Za-z0-9]{1,64}$/, { message: 'avatarMediaId must be a media id (med_…)' })
  mediaId!: string | null;
}

export interface MediaSetAvatarResult {
  avatarMediaId: string | null;
}

export interface MediaTicket {
  ticket: string;
  expiresAt: string;
}

export interface MediaRpcContract {
  [MediaRpc.MediaUploadTicket]: RpcEntry<MediaUploadTicketRequest, MediaTicket>;
  [MediaRpc.MediaReadTicket]: RpcEntry<MediaReadTicketRequest, MediaTicket>;
  [MediaRpc.MediaSetAvatar]: RpcEntry<MediaSetAvatarRequest, MediaSetAvatarResult>;
}

export const MEDIA_RPC_REQUESTS: { [K in keyof MediaRpcContract]: new () => MediaRpcContract[K]['request'] } = {
  [MediaRpc.MediaUploadTicket]: MediaUploadTicketRequest,
  [MediaRpc.MediaReadTicket]: MediaReadTicketRequest,
  [MediaRpc.MediaSetAvatar]: MediaSetAvatarRequest,
};
