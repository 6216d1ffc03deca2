import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, Min, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { USER_KINDS, UserKind } from './identity';

export const CHANNEL_TYPES = ['care_team', 'service_team', 'staff', 'group', 'dm'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Channel types created by activation, one of each per patient. */
export const ACTIVATABLE_CHANNEL_TYPES = ['care_team', 'service_team'] as const;
export type ActivatableChannelType = (typeof ACTIVATABLE_CHANNEL_TYPES)[number];

export class ChannelMemberRef {
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;

  @IsIn(USER_KINDS)
  kind!: UserKind;
}

/** What other services need to know of a channel: identity, type and membership (ids only, no names). */
export class ChannelSnapshot {
  @IsString() @MinLength(1)
  id!: string;

  @IsIn(CHANNEL_TYPES)
  type!: ChannelType;

  @IsOptional() @IsString()
  patientId?: string | null;

  @IsArray() @ValidateNested({ each: true }) @Type(() => ChannelMemberRef)
  members!: ChannelMemberRef[];

  @IsBoolean()
  needsStaffing!: boolean;

  /** Increases with every change, so projections can apply snapshots in any order. */
  @IsInt() @Min(1)
  version!: number;
}

export interface ChannelView {
  id: string;
  orgId: string;
  type: ChannelType;
  patientId: string | null;
  name: string | null;
  needsStaffing: boolean;
  members: ChannelMemberRef[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}
