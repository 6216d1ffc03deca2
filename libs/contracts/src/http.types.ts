import type { ActivatableChannelType, ChannelType, ChannelView } from './channel.types';
import type { CreatableChannelType } from './rpc/channels.rpc';
import type { EmailFrequency } from './rpc/notifications.rpc';

/*
 * Request shapes of the gateway's REST API (DESIGN §6), as plain interfaces: the gateway's DTO classes
 * `implements` them (so validation and the shape cannot drift apart) and @wellifiy/messaging-client
 * types its calls with them. Query parameters are listed as the client sends them.
 */

/** GET /v1/channels */
export interface ListChannelsQueryParams {
  /** true: my archived channels; false: active ones; absent: both. */
  archived?: boolean;
  type?: ChannelType;
  patientId?: string;
}

/** One entry of GET /v1/channels: `unreadCount` is null when the notifications service could not answer. */
export type ChannelListItem = ChannelView & { unreadCount: number | null };

/** POST /v1/channels */
export interface CreateChannelBody {
  type: CreatableChannelType;
  /** Required for group channels. */
  name?: string;
  /** Required for staff channels: the patient they are about. */
  patientId?: string;
  /** Members besides the caller. */
  memberIds: string[];
}

/** POST /v1/channels/:id/members */
export interface AddMemberBody {
  userId: string;
}

/** DELETE /v1/channels/:id/members/:userId */
export interface RemoveMemberQueryParams {
  reason?: string;
}

/** GET /v1/channels/:id/messages */
export interface ListMessagesQueryParams {
  /** Only messages with seq greater than this (catch-up after reconnect). */
  after?: number;
  /** Only messages with seq lower than this (scrolling back). */
  before?: number;
  limit?: number;
  /** 'true': thread roots only. Default: every message, replies included. */
  roots?: 'true' | 'false';
}

/** POST /v1/channels/:id/messages — retrying with the same clientMessageId returns the original message. */
export interface SendMessageBody {
  clientMessageId: string;
  body: string;
  /** Media ids from POST /v1/media. */
  attachments?: string[];
}

/** POST /v1/channels/:id/messages/:messageId/replies */
export interface ReplyBody {
  clientMessageId: string;
  body: string;
}

/** GET /v1/channels/:id/messages/:messageId/replies */
export interface ListRepliesQueryParams {
  after?: number;
  limit?: number;
}

/** PATCH /v1/channels/:id/messages/:messageId */
export interface EditMessageBody {
  body: string;
  /** Required when editing someone else's message (messaging:manage). */
  reason?: string;
}

/** DELETE /v1/channels/:id/messages/:messageId */
export interface DeleteMessageQueryParams {
  reason?: string;
}

/** POST /v1/channels/:id/read */
export interface MarkReadBody {
  seq: number;
}

/** PUT /v1/me/notification-settings · PUT /v1/users/:userId/notification-settings */
export interface NotificationSettingsBody {
  emailFrequency?: EmailFrequency;
  emailDelayMinutes?: number;
  pushEnabled?: boolean;
  mutedChannelIds?: string[];
}

/** POST /v1/me/push-subscriptions: the browser's PushSubscription.toJSON(). */
export interface PushSubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}

/** PATCH /v1/me/profile */
export interface UpdateProfileBody {
  displayName?: string | null;
  avatarMediaId?: string | null;
}

/** PUT /v1/admin/activation-rules/:type */
export interface ActivationRuleBody {
  autoActivate: boolean;
  teamMemberIds: string[];
}

/** GET /v1/admin/activation-rules/:type/history */
export interface ActivationRuleHistoryQueryParams {
  limit?: number;
}

/** GET /v1/admin/activation-rules/pending */
export interface PendingStaffingQueryParams {
  type?: ActivatableChannelType;
}

/** GET /v1/admin/audit */
export interface AuditQueryParams {
  channelId?: string;
  patientId?: string;
  actorId?: string;
  action?: string;
  /** ISO time: entries at or after this. */
  from?: string;
  /** ISO time: entries strictly before this. */
  to?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** 1–200, default 100. */
  limit?: number;
}

/** Every HTTP error body of the gateway. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** A stable ErrorCode when a service rule refused the request. */
  code?: string;
  details?: unknown;
  correlationId?: string;
}
