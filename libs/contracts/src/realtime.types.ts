import type { ChannelSnapshot, ChannelType } from './channel.types';
import type { UserKind } from './identity';
import type { MessageView } from './message.types';
import type { MessageChangedBy } from './reactions';

/*
 * What the gateway's Socket.IO endpoint emits to clients and accepts from them (docs/realtime.md), as
 * plain interfaces: @wellifiy/messaging-client types its socket with these maps.
 */

export interface ReadyPayload {
  channelCount: number;
}

/** `message.deleted`: show a tombstone ("removed by staff" when deletedBy is staff). */
export interface MessageDeletedPayload {
  id: string;
  channelId: string;
  seq: number;
  deletedBy: MessageChangedBy;
}

/** `reaction.updated`: counts after the change; `userId` lets each client set its own `me`. */
export interface ReactionUpdatedPayload {
  channelId: string;
  messageId: string;
  seq: number;
  userId: string;
  emoji: string;
  reacted: boolean;
  reactions: { emoji: string; count: number }[];
}

/** `channel.created` / `channel.updated` to the channel's members. */
export interface ChannelChangedPayload {
  channelId: string;
  channel: ChannelSnapshot;
}

/** `channel.updated` to one user's sockets when they archive or unarchive the channel. */
export interface ChannelArchiveStatePayload {
  channelId: string;
  archived: boolean;
}

export interface MemberAddedPayload {
  channelId: string;
  userId: string;
  kind: UserKind;
  version: number;
}

export interface MemberRemovedPayload {
  channelId: string;
  userId: string;
  version: number;
}

/** `badge.updated` to every device of the user: `total` is the badge; `channelId` null when several changed. */
export interface BadgeUpdatedPayload {
  total: number;
  channelId: string | null;
  unread: number;
}

export interface ReceiptUpdatedPayload {
  channelId: string;
  userId: string;
  kind: UserKind;
  readSeq: number;
  readAt: string;
}

export interface TypingPayload {
  channelId: string;
  userId: string;
}

export interface ChannelNeedsStaffingPayload {
  channelId: string;
  type: ChannelType;
}

export interface RealtimeErrorPayload {
  message: string;
}

/** Server → client events. */
export interface ServerToClientEvents {
  ready: (payload: ReadyPayload) => void;
  error: (payload: RealtimeErrorPayload) => void;
  'message.created': (payload: MessageView) => void;
  'message.updated': (payload: MessageView) => void;
  'message.deleted': (payload: MessageDeletedPayload) => void;
  'reaction.updated': (payload: ReactionUpdatedPayload) => void;
  'channel.created': (payload: ChannelChangedPayload) => void;
  'channel.updated': (payload: ChannelChangedPayload | ChannelArchiveStatePayload) => void;
  'channel.needs_staffing': (payload: ChannelNeedsStaffingPayload) => void;
  'member.added': (payload: MemberAddedPayload) => void;
  'member.removed': (payload: MemberRemovedPayload) => void;
  'badge.updated': (payload: BadgeUpdatedPayload) => void;
  'receipt.updated': (payload: ReceiptUpdatedPayload) => void;
  typing: (payload: TypingPayload) => void;
}

/** Client → server events. */
export interface ClientToServerEvents {
  typing: (payload: { channelId: string }) => void;
}
