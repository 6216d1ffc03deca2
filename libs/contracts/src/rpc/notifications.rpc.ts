import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { UserKind } from '../identity';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const NotificationsRpc = {
  NotificationsPing: 'notifications.ping',
  /** The caller's unread count per channel and badge total (archived and muted channels excluded from the total). */
  NotificationsUnreadSummary: 'notifications.unread-summary',
  /** Moves the caller's read marker in a channel forward (never back). */
  NotificationsMarkRead: 'notifications.mark-read',
  /** Read markers of a channel's members, as the caller may see them. */
  NotificationsReceipts: 'notifications.receipts',
  NotificationsGetSettings: 'notifications.get-settings',
  NotificationsPutSettings: 'notifications.put-settings',
  NotificationsRegisterPush: 'notifications.register-push',
  NotificationsDeletePush: 'notifications.delete-push',
  /** What a client needs to subscribe to Web Push (the VAPID public key). */
  NotificationsPushConfig: 'notifications.push-config',
  /** Ops / service-to-service: replace a channel's counters with authoritative ones (the repair path). */
  NotificationsRepairChannel: 'notifications.repair-channel',
} as const;

export const SEQ_MAX = 2 ** 31 - 1;

export class UnreadSummaryRequest extends ActorRequest {}

export interface ChannelUnread {
  channelId: string;
  unread: number;
  /** Muted or archived channels keep their count but are not part of the badge total. */
  muted: boolean;
  archived: boolean;
}
export interface UnreadSummary {
  /** The badge: sum of `unread` over the non-archived, non-muted channels. */
  total: number;
  channels: ChannelUnread[];
}

export class MarkReadRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsInt() @Min(0) @Max(SEQ_MAX)
  seq!: number;
}
export interface MarkReadResult {
  channelId: string;
  /** The marker after the call: the larger of the stored one and `seq`. */
  readSeq: number;
  unread: number;
  total: number;
}

export class ReceiptsRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;
}
export interface ReadReceipt {
  userId: string;
  kind: UserKind;
  readSeq: number;
  readAt: string | null;
}
export interface ReceiptsResult {
  channelId: string;
  receipts: ReadReceipt[];
}

export const EMAIL_FREQUENCIES = ['off', 'after_delay', 'daily'] as const;
export type EmailFrequency = (typeof EMAIL_FREQUENCIES)[number];
export const EMAIL_DELAY_MINUTES_MAX = 24 * 60;
export const MUTED_CHANNELS_MAX = 500;

export interface NotificationSettingsView {
  userId: string;
  emailFrequency: EmailFrequency;
  /** For `after_delay`: minutes after the first unread message. */
  emailDelayMinutes: number;
  pushEnabled: boolean;
  mutedChannelIds: string[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export class GetSettingsRequest extends ActorRequest {
  /** Whose settings; absent = the caller's own. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  userId?: string;
}

export class PutSettingsRequest extends ActorRequest {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  userId?: string;

  @IsOptional() @IsIn(EMAIL_FREQUENCIES)
  emailFrequency?: EmailFrequency;

  @IsOptional() @IsInt() @Min(1) @Max(EMAIL_DELAY_MINUTES_MAX)
  emailDelayMinutes?: number;

  @IsOptional() @IsBoolean()
  pushEnabled?: boolean;

  @IsOptional() @IsArray() @ArrayMaxSize(MUTED_CHANNELS_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  mutedChannelIds?: string[];
}

export class PushKeys {
  /** The subscription's P-256 ECDH public key, base64url. */
  @IsString() @Matches(/^[A-Za-z0-9_-]{80,100}={0,2}$/, { message: 'keys.p256dh must be a base64url P-256 public key' })
  p256dh!: string;

  /** The 16-byte auth secret, base64url. */
  @IsString() @Matches(/^[A-Za-z0-9_-]{20,24}={0,2}$/, { message: 'keys.auth must be a base64url 16-byte secret' })
  auth!: string;
}

export class RegisterPushRequest extends ActorRequest {
  @IsString() @MinLength(8) @MaxLength(2048)
  endpoint!: string;

  @ValidateNested() @Type(() => PushKeys)
  keys!: PushKeys;
}
export interface PushSubscriptionView {
  id: string;
  provider: 'webpush';
  createdAt: string;
}

export class DeletePushRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  subscriptionId!: string;
}

export class PushConfigRequest extends ActorRequest {}
export interface PushConfigView {
  webPush: { enabled: boolean; vapidPublicKey: string | null };
}

export class DeletedMessageRef {
  @IsInt() @Min(1) @Max(SEQ_MAX)
  seq!: number;

  @IsString() @MinLength(1) @MaxLength(128)
  senderId!: string;
}

export class RepairChannelRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsInt() @Min(0) @Max(SEQ_MAX)
  lastSeq!: number;

  @IsArray() @ArrayMaxSize(100_000) @ValidateNested({ each: true }) @Type(() => DeletedMessageRef)
  deleted!: DeletedMessageRef[];
}
export interface RepairChannelResult {
  channelId: string;
  lastSeq: number;
  deletedCount: number;
}

export interface NotificationsRpcContract {
  [NotificationsRpc.NotificationsPing]: RpcEntry<PingRequest, PingResult>;
  [NotificationsRpc.NotificationsUnreadSummary]: RpcEntry<UnreadSummaryRequest, UnreadSummary>;
  [NotificationsRpc.NotificationsMarkRead]: RpcEntry<MarkReadRequest, MarkReadResult>;
  [NotificationsRpc.NotificationsReceipts]: RpcEntry<ReceiptsRequest, ReceiptsResult>;
  [NotificationsRpc.NotificationsGetSettings]: RpcEntry<GetSettingsRequest, NotificationSettingsView>;
  [NotificationsRpc.NotificationsPutSettings]: RpcEntry<PutSettingsRequest, NotificationSettingsView>;
  [NotificationsRpc.NotificationsRegisterPush]: RpcEntry<RegisterPushRequest, PushSubscriptionView>;
  [NotificationsRpc.NotificationsDeletePush]: RpcEntry<DeletePushRequest, { deleted: true }>;
  [NotificationsRpc.NotificationsPushConfig]: RpcEntry<PushConfigRequest, PushConfigView>;
  [NotificationsRpc.NotificationsRepairChannel]: RpcEntry<RepairChannelRequest, RepairChannelResult>;
}

export const NOTIFICATIONS_RPC_REQUESTS: { [K in keyof NotificationsRpcContract]: new () => NotificationsRpcContract[K]['request'] } = {
  [NotificationsRpc.NotificationsPing]: PingRequest,
  [NotificationsRpc.NotificationsUnreadSummary]: UnreadSummaryRequest,
  [NotificationsRpc.NotificationsMarkRead]: MarkReadRequest,
  [NotificationsRpc.NotificationsReceipts]: ReceiptsRequest,
  [NotificationsRpc.NotificationsGetSettings]: GetSettingsRequest,
  [NotificationsRpc.NotificationsPutSettings]: PutSettingsRequest,
  [NotificationsRpc.NotificationsRegisterPush]: RegisterPushRequest,
  [NotificationsRpc.NotificationsDeletePush]: DeletePushRequest,
  [NotificationsRpc.NotificationsPushConfig]: PushConfigRequest,
  [NotificationsRpc.NotificationsRepairChannel]: RepairChannelRequest,
};
