import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MESSAGE_ATTACHMENTS_MAX, MESSAGE_BODY_MAX_LENGTH, MessageView } from '../message.types';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const MessagesRpc = {
  MessagesPing: 'messages.ping',
  MessagesSend: 'messages.send',
  MessagesList: 'messages.list',
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
}
export interface MessagePage {
  messages: MessageView[];
  /** true when more messages exist beyond this page in the direction of travel. */
  hasMore: boolean;
}

export interface MessagesRpcContract {
  [MessagesRpc.MessagesPing]: RpcEntry<PingRequest, PingResult>;
  [MessagesRpc.MessagesSend]: RpcEntry<SendMessageRequest, SendMessageResult>;
  [MessagesRpc.MessagesList]: RpcEntry<ListMessagesRequest, MessagePage>;
}

export const MESSAGES_RPC_REQUESTS: { [K in keyof MessagesRpcContract]: new () => MessagesRpcContract[K]['request'] } = {
  [MessagesRpc.MessagesPing]: PingRequest,
  [MessagesRpc.MessagesSend]: SendMessageRequest,
  [MessagesRpc.MessagesList]: ListMessagesRequest,
};
