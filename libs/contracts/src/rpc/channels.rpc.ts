import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf,
} from 'class-validator';
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
  ChannelsCreate: 'channels.create',
  ChannelsMembers: 'channels.members',
  ChannelsAddMember: 'channels.add-member',
  ChannelsRemoveMember: 'channels.remove-member',
  ChannelsLeave: 'channels.leave',
  ChannelsArchive: 'channels.archive',
  ChannelsUnarchive: 'channels.unarchive',
  ChannelsUpdateProfile: 'channels.update-profile',
  ChannelsAudit: 'channels.audit',
  ChannelsNeedingStaff: 'channels.needing-staff',
  /** System activation by the activation-rules service (patient intake). */
  ChannelsActivateForPatient: 'channels.activate-for-patient',
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

export const CREATABLE_CHANNEL_TYPES = ['group', 'staff', 'dm'] as const;
export type CreatableChannelType = (typeof CREATABLE_CHANNEL_TYPES)[number];
/** Members of one channel, the creator included: every membership change carries the whole member list. */
export const CHANNEL_MEMBERS_MAX = 1000;

export class CreateChannelRequest extends ActorRequest {
  @IsIn(CREATABLE_CHANNEL_TYPES)
  type!: CreatableChannelType;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  name?: string;

  /** Required for `staff` (the patient it is about); not allowed for `group` and `dm`. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  /** Other members besides the creator. */
  @IsArray() @ArrayMaxSize(CHANNEL_MEMBERS_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  memberIds!: string[];
}
export interface CreateChannelResult {
  channel: ChannelView;
  /** false when an existing DM with the same members was returned. */
  created: boolean;
}

/** A member as one viewer may see them (DESIGN §2 rule 9). */
export interface ChannelMemberView {
  userId: string;
  kind: UserKind;
  displayName: string;
  /** Only for team-member viewers: a patient's real name beside the display name. */
  realName?: { firstName: string; lastName: string };
  title: string | null;
  avatarMediaId: string | null;
  joinedAt: string;
}

export class MemberRequest extends ActorRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  channelId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;

  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class UpdateProfileRequest extends ActorRequest {
  /** null resets to the default (first name). */
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsString() @MinLength(1) @MaxLength(50)
  displayName?: string | null;

  @ValidateIf((_, v) => v !== null && v !== undefined) @IsString() @Matches(/^med_[A-Za-z0-9]{1,64}$/)
  avatarMediaId?: string | null;
}

/** At most this many entries per page of the audit trail. */
export const AUDIT_PAGE_MAX = 200;

export class AuditQueryRequest extends ActorRequest {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  channelId?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  actorId?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  action?: string;

  /** ISO time: entries at or after this. */
  @IsOptional() @IsString()
  from?: string;

  /** ISO time: entries strictly before this. */
  @IsOptional() @IsString()
  to?: string;

  /** Opaque: the `nextCursor` of the previous page. */
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;

  @IsOptional() @IsInt() @Min(1) @Max(AUDIT_PAGE_MAX)
  limit?: number;

  /**
   * Set by the gateway's export: the first page (no cursor) is recorded as `audit.exported`, the following pages of
   * the same export are not recorded again.
   */
  @IsOptional() @IsBoolean()
  export?: boolean;
}
export interface AuditEntryView {
  id: string;
  at: string;
  actorId: string;
  action: string;
  channelId: string | null;
  patientId: string | null;
  targetUserId: string | null;
  messageId: string | null;
  mediaId: string | null;
  /** The seq range a read returned, or the one message's seq. */
  fromSeq: number | null;
  toSeq: number | null;
  reason: string | null;
}
/** One page of the audit trail, newest first; `nextCursor` is null on the last page. */
export interface AuditPage {
  entries: AuditEntryView[];
  nextCursor: string | null;
}

export class NeedingStaffRequest extends ActorRequest {}

export class ActivateForPatientRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;

  /** The patient is the channel's other member, so one fewer than the channel cap. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CHANNEL_MEMBERS_MAX - 1) @IsString({ each: true })
  teamMemberIds!: string[];

  /** Who decided (for the audit trail), e.g. `activation-rules`. */
  @IsString() @MinLength(1) @MaxLength(128)
  actorId!: string;

  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}
export interface ActivateForPatientResult {
  channel: ChannelView;
  created: boolean;
}

export interface ChannelsRpcContract {
  [ChannelsRpc.ChannelsPing]: RpcEntry<PingRequest, PingResult>;
  [ChannelsRpc.ChannelsMe]: RpcEntry<MeRequest, MeView>;
  [ChannelsRpc.ChannelsActivate]: RpcEntry<ActivateChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsList]: RpcEntry<ListChannelsRequest, ChannelView[]>;
  [ChannelsRpc.ChannelsGet]: RpcEntry<GetChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsMemberships]: RpcEntry<MembershipsRequest, MembershipsResult>;
  [ChannelsRpc.ChannelsMembershipCheck]: RpcEntry<MembershipCheckRequest, MembershipCheckResult>;
  [ChannelsRpc.ChannelsCreate]: RpcEntry<CreateChannelRequest, CreateChannelResult>;
  [ChannelsRpc.ChannelsMembers]: RpcEntry<GetChannelRequest, ChannelMemberView[]>;
  [ChannelsRpc.ChannelsAddMember]: RpcEntry<MemberRequest, ChannelView>;
  [ChannelsRpc.ChannelsRemoveMember]: RpcEntry<MemberRequest, ChannelView>;
  [ChannelsRpc.ChannelsLeave]: RpcEntry<GetChannelRequest, { left: true }>;
  [ChannelsRpc.ChannelsArchive]: RpcEntry<GetChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsUnarchive]: RpcEntry<GetChannelRequest, ChannelView>;
  [ChannelsRpc.ChannelsUpdateProfile]: RpcEntry<UpdateProfileRequest, MeView>;
  [ChannelsRpc.ChannelsAudit]: RpcEntry<AuditQueryRequest, AuditPage>;
  [ChannelsRpc.ChannelsNeedingStaff]: RpcEntry<NeedingStaffRequest, ChannelView[]>;
  [ChannelsRpc.ChannelsActivateForPatient]: RpcEntry<ActivateForPatientRequest, ActivateForPatientResult>;
}

export const CHANNELS_RPC_REQUESTS: { [K in keyof ChannelsRpcContract]: new () => ChannelsRpcContract[K]['request'] } = {
  [ChannelsRpc.ChannelsPing]: PingRequest,
  [ChannelsRpc.ChannelsMe]: MeRequest,
  [ChannelsRpc.ChannelsActivate]: ActivateChannelRequest,
  [ChannelsRpc.ChannelsList]: ListChannelsRequest,
  [ChannelsRpc.ChannelsGet]: GetChannelRequest,
  [ChannelsRpc.ChannelsMemberships]: MembershipsRequest,
  [ChannelsRpc.ChannelsMembershipCheck]: MembershipCheckRequest,
  [ChannelsRpc.ChannelsCreate]: CreateChannelRequest,
  [ChannelsRpc.ChannelsMembers]: GetChannelRequest,
  [ChannelsRpc.ChannelsAddMember]: MemberRequest,
  [ChannelsRpc.ChannelsRemoveMember]: MemberRequest,
  [ChannelsRpc.ChannelsLeave]: GetChannelRequest,
  [ChannelsRpc.ChannelsArchive]: GetChannelRequest,
  [ChannelsRpc.ChannelsUnarchive]: GetChannelRequest,
  [ChannelsRpc.ChannelsUpdateProfile]: UpdateProfileRequest,
  [ChannelsRpc.ChannelsAudit]: AuditQueryRequest,
  [ChannelsRpc.ChannelsNeedingStaff]: NeedingStaffRequest,
  [ChannelsRpc.ChannelsActivateForPatient]: ActivateForPatientRequest,
};
