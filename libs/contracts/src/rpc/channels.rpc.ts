import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, CHANNEL_TYPES, ChannelSnapshot, ChannelType, ChannelView } from '../channel.types';
import { UserKind } from '../identity';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const ChannelsRpc = {
  ChannelsPing: 'channels.ping',
  ChannelsMe: 'channels.me',
  ChannelsActivate: 'channels.activate',
  ChannelsList: 'channels.list',
  ChannelsGet: 'channels.get',
  ChannelsMemberships: 'channels.memberships',
  ChannelsMembershipCheck: 'channels.membership-check',
} as const;

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

/** Service-to-service: the authoritative channel snapshot (used when a projection lags). */
export class MembershipCheckRequest {
  @IsString() @MinLength(1)
  orgId!: string;

  @IsString() @MinLength(1)
  channelId!: string;
}
export interface MembershipCheckResult {
  channel: ChannelSnapshot | null;
}

export interface ChannelsRpcContract {
  [ChannelsRpc.ChannelsPing]: RpcEntry<PingRequest, PingResult>;
  [ChannelsRpc.ChannelsMe]: RpcEntry<MeRequest, MeView>;
  [ChannelsRpc.ChannelsActivate]: RpcEntry<ActivateChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsList]: RpcEntry<ListChannelsRequest, ChannelView[]>;
  [ChannelsRpc.ChannelsGet]: RpcEntry<GetChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsMemberships]: RpcEntry<MembershipsRequest, MembershipsResult>;
  [ChannelsRpc.ChannelsMembershipCheck]: RpcEntry<MembershipCheckRequest, MembershipCheckResult>;
}

export const CHANNELS_RPC_REQUESTS: { [K in keyof ChannelsRpcContract]: new () => ChannelsRpcContract[K]['request'] } = {
  [ChannelsRpc.ChannelsPing]: PingRequest,
  [ChannelsRpc.ChannelsMe]: MeRequest,
  [ChannelsRpc.ChannelsActivate]: ActivateChannelRequest,
  [ChannelsRpc.ChannelsList]: ListChannelsRequest,
  [ChannelsRpc.ChannelsGet]: GetChannelRequest,
  [ChannelsRpc.ChannelsMemberships]: MembershipsRequest,
  [ChannelsRpc.ChannelsMembershipCheck]: MembershipCheckRequest,
};
