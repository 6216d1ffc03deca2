import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MESSAGE_ATTACHMENTS_MAX, MESSAGE_BODY_MAX_LENGTH, MessageView } from '../message.types';
import { REACTION_MAX_LENGTH } from '../reactions';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const MessagesRpc = {
  MessagesPing: 'messages.ping',
  MessagesSend: 'messages.send',
  MessagesList: 'messages.list',
  MessagesListReplies: 'messages.list-replies',
  MessagesReply: 'messages.reply',
  MessagesEdit: 'messages.edit',
  MessagesDelete: 'messages.delete',
  MessagesReact: 'messages.react',
  /** Every version of a message, bodies opened, for compliance officers (audit:read). */
  MessagesVersions: 'messages.versions',
} as const;

export class SendMessageRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  clientMessageId!: string;

  @IsString() @MinLength(1) @MaxLength(MESSAGE_BODY_MAX_LENGTH)
  body!: string;

  @IsOptional() @IsArray() @ArrayMaxSize(MESSAGE_ATTACHMENTS_MAX) @IsString({ each: true }) @MaxLength(128, { each: true })
  attachments?: string[];
}
export interface SendMessageResult {
  message: MessageView;
  /** false when the clientMessageId was seen before and the original is returned. */
  created: boolean;
}

export const MESSAGE_PAGE_MAX = 200;

export class ListMessagesRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsOptional() @IsInt() @Min(0)
  after?: number;

  @IsOptional() @IsInt() @Min(1)
  before?: number;

  @IsOptional() @IsInt() @Min(1) @Max(MESSAGE_PAGE_MAX)
  @Transform(({ value }) => value ?? undefined)
  limit?: number;

  /** Only thread roots (replies left out); default: every message, so seq catch-up stays exact. */
  @IsOptional() @IsBoolean()
  roots?: boolean;
}
export interface MessagePage {
  messages: MessageView[];
  /** true when more messages exist beyond this page in the direction of travel. */
  hasMore: boolean;
}

export class MessageRef extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  messageId!: string;
}

/** A reply to `messageId`: it joins that message's thread (a reply to a reply joins the same root). */
export class ReplyRequest extends MessageRef {
  @IsString() @MinLength(1) @MaxLength(128)
  clientMessageId!: string;

  @IsString() @MinLength(1) @MaxLength(MESSAGE_BODY_MAX_LENGTH)
  body!: string;
}

export class ListRepliesRequest extends MessageRef {
  @IsOptional() @IsInt() @Min(0)
  after?: number;

  @IsOptional() @IsInt() @Min(1) @Max(MESSAGE_PAGE_MAX)
  limit?: number;
}

export const CHANGE_REASON_MAX_LENGTH = 500;

export class EditMessageRequest extends MessageRef {
  @IsString() @MinLength(1) @MaxLength(MESSAGE_BODY_MAX_LENGTH)
  body!: string;

  /** Required when the message is someone else's (messaging:manage). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(CHANGE_REASON_MAX_LENGTH)
  reason?: string;
}

export class DeleteMessageRequest extends MessageRef {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(CHANGE_REASON_MAX_LENGTH)
  reason?: string;
}

export class ReactRequest extends MessageRef {
  @IsString() @MinLength(1) @MaxLength(REACTION_MAX_LENGTH)
  emoji!: string;

  /** true: add my reaction (PUT); false: remove it (DELETE). Both idempotent. */
  @IsBoolean()
  on!: boolean;
}

export class MessageVersionsRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  messageId!: string;
}
/** One state of a message: version 0 is the text as sent; each later one names who changed it, when and why. */
export interface MessageVersionEntry {
  version: number;
  body: string;
  /** `sent` for version 0; `edit` or `delete` for the change that produced this state. */
  change: 'sent' | 'edit' | 'delete';
  actorId: string;
  /** `staff` when a team member changed someone else's message. */
  as: 'author' | 'staff';
  reason: string | null;
  at: string;
}
export interface MessageVersionsView {
  messageId: string;
  channelId: string;
  senderId: string;
  deleted: boolean;
  versions: MessageVersionEntry[];
}

export interface MessagesRpcContract {
  [MessagesRpc.MessagesPing]: RpcEntry<PingRequest, PingResult>;
  [MessagesRpc.MessagesSend]: RpcEntry<SendMessageRequest, SendMessageResult>;
  [MessagesRpc.MessagesList]: RpcEntry<ListMessagesRequest, MessagePage>;
  [MessagesRpc.MessagesListReplies]: RpcEntry<ListRepliesRequest, MessagePage>;
  [MessagesRpc.MessagesReply]: RpcEntry<ReplyRequest, SendMessageResult>;
  [MessagesRpc.MessagesEdit]: RpcEntry<EditMessageRequest, MessageView>;
  [MessagesRpc.MessagesDelete]: RpcEntry<DeleteMessageRequest, MessageView>;
  [MessagesRpc.MessagesReact]: RpcEntry<ReactRequest, MessageView>;
  [MessagesRpc.MessagesVersions]: RpcEntry<MessageVersionsRequest, MessageVersionsView>;
}

export const MESSAGES_RPC_REQUESTS: { [K in keyof MessagesRpcContract]: new () => MessagesRpcContract[K]['request'] } = {
  [MessagesRpc.MessagesPing]: PingRequest,
  [MessagesRpc.MessagesSend]: SendMessageRequest,
  [MessagesRpc.MessagesList]: ListMessagesRequest,
  [MessagesRpc.MessagesListReplies]: ListRepliesRequest,
  [MessagesRpc.MessagesReply]: ReplyRequest,
  [MessagesRpc.MessagesEdit]: EditMessageRequest,
  [MessagesRpc.MessagesDelete]: DeleteMessageRequest,
  [MessagesRpc.MessagesReact]: ReactRequest,
  [MessagesRpc.MessagesVersions]: MessageVersionsRequest,
};
