import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ChannelSnapshot } from '../channel.types';
import { envelopeOf, EventEnvelope } from '../envelope';
import { USER_KINDS, UserKind } from '../identity';

/** Published by the channels service. Every payload carries the channel's full, versioned snapshot. */
export const ChannelsEvents = {
  ChannelCreated: 'channel.created',
  ChannelUpdated: 'channel.updated',
  ChannelMemberAdded: 'channel.member.added',
  ChannelMemberRemoved: 'channel.member.removed',
  /** A user archived the channel for themselves: their notifications for it pause. */
  ChannelArchived: 'channel.archived',
  ChannelUnarchived: 'channel.unarchived',
} as const;

export class ChannelChangedData {
  @ValidateNested() @Type(() => ChannelSnapshot)
  channel!: ChannelSnapshot;

  @IsString() @MinLength(1)
  actorId!: string;

  /** Why, for the audit trail (e.g. `team_member_archived`, `fallback_allocation_clinician`). */
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class ChannelMemberAddedData {
  @ValidateNested() @Type(() => ChannelSnapshot)
  channel!: ChannelSnapshot;

  @IsString() @MinLength(1)
  userId!: string;

  @IsIn(USER_KINDS)
  userKind!: UserKind;

  @IsString() @MinLength(1)
  actorId!: string;

  /** Why, for the audit trail (e.g. `team_member_archived`, `fallback_allocation_clinician`). */
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class ChannelMemberRemovedData {
  @ValidateNested() @Type(() => ChannelSnapshot)
  channel!: ChannelSnapshot;

  @IsString() @MinLength(1)
  userId!: string;

  @IsString() @MinLength(1)
  actorId!: string;

  /** Why, for the audit trail (e.g. `team_member_archived`, `fallback_allocation_clinician`). */
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class ChannelMemberFlagData {
  @IsString() @MinLength(1)
  channelId!: string;

  @IsString() @MinLength(1)
  userId!: string;
}

export interface ChannelsEventPayloads {
  [ChannelsEvents.ChannelCreated]: ChannelChangedData;
  [ChannelsEvents.ChannelUpdated]: ChannelChangedData;
  [ChannelsEvents.ChannelMemberAdded]: ChannelMemberAddedData;
  [ChannelsEvents.ChannelMemberRemoved]: ChannelMemberRemovedData;
  [ChannelsEvents.ChannelArchived]: ChannelMemberFlagData;
  [ChannelsEvents.ChannelUnarchived]: ChannelMemberFlagData;
}

export const ChannelChangedEvent = envelopeOf(ChannelChangedData);
export type ChannelChangedEvent = EventEnvelope<ChannelChangedData>;
export const ChannelMemberAddedEvent = envelopeOf(ChannelMemberAddedData);
export type ChannelMemberAddedEvent = EventEnvelope<ChannelMemberAddedData>;
export const ChannelMemberRemovedEvent = envelopeOf(ChannelMemberRemovedData);
export type ChannelMemberRemovedEvent = EventEnvelope<ChannelMemberRemovedData>;
export const ChannelMemberFlagEvent = envelopeOf(ChannelMemberFlagData);
export type ChannelMemberFlagEvent = EventEnvelope<ChannelMemberFlagData>;

export const CHANNELS_EVENT_CLASSES: { [K in keyof ChannelsEventPayloads]: new () => object } = {
  [ChannelsEvents.ChannelCreated]: ChannelChangedEvent,
  [ChannelsEvents.ChannelUpdated]: ChannelChangedEvent,
  [ChannelsEvents.ChannelMemberAdded]: ChannelMemberAddedEvent,
  [ChannelsEvents.ChannelMemberRemoved]: ChannelMemberRemovedEvent,
  [ChannelsEvents.ChannelArchived]: ChannelMemberFlagEvent,
  [ChannelsEvents.ChannelUnarchived]: ChannelMemberFlagEvent,
};
