import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, Min, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { USER_KINDS, UserKind } from './identity';

export const CHANNEL_TYPES = ['care_team', 'service_team', 'staff', 'group', 'dm'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Channel types a patient may never see, join or count (DESIGN §2 rule 2). */
export const STAFF_ONLY_CHANNEL_TYPES = ['staff', 'dm'] as const satisfies readonly ChannelType[];
const STAFF_ONLY: ReadonlySet<ChannelType> = new Set(STAFF_ONLY_CHANNEL_TYPES);

/**
 * The one statement of rule 2: whether a user of `kind` may see a channel of `type` at all (membership and
 * organisation are the caller's to check). A type not known yet (`null`, e.g. a projection still empty) hides nothing.
 */
export function channelTypeVisibleTo(kind: UserKind, type: ChannelType | null): boolean {
  return !(kind === 'patient' && type !== null && STAFF_ONLY.has(type));
}

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
