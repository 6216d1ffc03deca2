import { Transform, Type } from 'class-transformer';
import {
  IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, CHANNEL_TYPES, ChannelSnapshot, ChannelType, ChannelView } from './channel.types';
import { Actor, UserKind } from './identity';
import { MESSAGE_BODY_MAX_LENGTH, MessageView } from './message.types';

/** Services that own a command queue. RPC names are `<service>.<command>`. */
export const SERVICES = ['channels', 'messages', 'notifications', 'activation-rules'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const Rpc = {
  ChannelsPing: 'channels.ping',
  ChannelsMe: 'channels.me',
  ChannelsActivate: 'channels.activate',
  ChannelsList: 'channels.list',
  ChannelsGet: 'channels.get',
  ChannelsMemberships: 'channels.memberships',
  ChannelsMembershipCheck: 'channels.membership-check',
  MessagesPing: 'messages.ping',
  MessagesSend: 'messages.send',
  MessagesList: 'messages.list',
  NotificationsPing: 'notifications.ping',
  ActivationRulesPing: 'activation-rules.ping',
} as const;
export type RpcName = (typeof Rpc)[keyof typeof Rpc];

export function serviceOfRpc(name: string): ServiceName | undefined {
  return SERVICES.find((s) => name.startsWith(`${s}.`));
}

export const PING_RPC: Record<ServiceName, RpcName> = {
  channels: Rpc.ChannelsPing,
  messages: Rpc.MessagesPing,
  notifications: Rpc.NotificationsPing,
  'activation-rules': Rpc.ActivationRulesPing,
};

abstract class ActorRequest {
  @ValidateNested() @Type(() => Actor)
  actor!: Actor;
}

export class PingRequest {}
export interface PingResult {
  service: ServiceName;
  ok: true;
}

export class MeRequest extends ActorRequest {}
export interface MeView {
  userId: string;
  orgId: string;
  kind: UserKind;
  perms: string[];
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  avatarMediaId: string | null;
}

export class ActivateChannelRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;
}

export class ListChannelsRequest extends ActorRequest {
  @IsOptional() @IsBoolean()
  archived?: boolean;

  @IsOptional() @IsIn(CHANNEL_TYPES)
  type?: ChannelType;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;
}

export class GetChannelRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;
}

export class MembershipsRequest extends ActorRequest {}
export interface MembershipsResult {
  channelIds: string[];
}

/** Service-to-service: is this user a member of that channel (used when a projection lags). */
export class MembershipCheckRequest {
  @IsString() @MinLength(1)
  orgId!: string;

  @IsString() @MinLength(1)
  channelId!: string;
}
export interface MembershipCheckResult {
  channel: ChannelSnapshot | null;
}

export class SendMessageRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  clientMessageId!: string;

  @IsString() @MinLength(1) @MaxLength(MESSAGE_BODY_MAX_LENGTH)
  body!: string;
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

/** The RPC type map: name → request class and result type. */
export interface RpcContract {
  [Rpc.ChannelsPing]: { request: PingRequest; result: PingResult };
  [Rpc.ChannelsMe]: { request: MeRequest; result: MeView };
  [Rpc.ChannelsActivate]: { request: ActivateChannelRequest; result: ChannelView };
  [Rpc.ChannelsList]: { request: ListChannelsRequest; result: ChannelView[] };
  [Rpc.ChannelsGet]: { request: GetChannelRequest; result: ChannelView };
  [Rpc.ChannelsMemberships]: { request: MembershipsRequest; result: MembershipsResult };
  [Rpc.ChannelsMembershipCheck]: { request: MembershipCheckRequest; result: MembershipCheckResult };
  [Rpc.MessagesPing]: { request: PingRequest; result: PingResult };
  [Rpc.MessagesSend]: { request: SendMessageRequest; result: SendMessageResult };
  [Rpc.MessagesList]: { request: ListMessagesRequest; result: MessagePage };
  [Rpc.NotificationsPing]: { request: PingRequest; result: PingResult };
  [Rpc.ActivationRulesPing]: { request: PingRequest; result: PingResult };
}
export type RpcRequest<K extends RpcName> = RpcContract[K]['request'];
export type RpcResult<K extends RpcName> = RpcContract[K]['result'];

export const RPC_REQUEST_CLASSES: { [K in RpcName]: new () => RpcRequest<K> } = {
  [Rpc.ChannelsPing]: PingRequest,
  [Rpc.ChannelsMe]: MeRequest,
  [Rpc.ChannelsActivate]: ActivateChannelRequest,
  [Rpc.ChannelsList]: ListChannelsRequest,
  [Rpc.ChannelsGet]: GetChannelRequest,
  [Rpc.ChannelsMemberships]: MembershipsRequest,
  [Rpc.ChannelsMembershipCheck]: MembershipCheckRequest,
  [Rpc.MessagesPing]: PingRequest,
  [Rpc.MessagesSend]: SendMessageRequest,
  [Rpc.MessagesList]: ListMessagesRequest,
  [Rpc.NotificationsPing]: PingRequest,
  [Rpc.ActivationRulesPing]: PingRequest,
};
