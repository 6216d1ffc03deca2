import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { ChannelSnapshot } from './channel.types';
import { envelopeOf, EventEnvelope } from './envelope';
import { USER_KINDS, UserKind } from './identity';
import { MessageView } from './message.types';

/** Every event name, past tense. Routing key on `wellifiy.events` = the event type. */
export const Events = {
  // inbound, from the patient service and the staff directory
  PatientCreated: 'patient.created',
  PatientUpdated: 'patient.updated',
  TeamMemberCreated: 'team-member.created',
  TeamMemberUpdated: 'team-member.updated',
  TeamMemberArchived: 'team-member.archived',
  // ours
  ChannelCreated: 'channel.created',
  ChannelUpdated: 'channel.updated',
  ChannelMemberAdded: 'channel.member.added',
  ChannelMemberRemoved: 'channel.member.removed',
  MessageCreated: 'message.created',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];

const NAME_MAX = 200;

export class PatientCreatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName!: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  allocationClinicianId?: string;
}

export class PatientUpdatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName?: string;

  @IsOptional() @IsEmail()
  email?: string;

  /** null clears the allocation clinician. */
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsString() @MinLength(1) @MaxLength(128)
  allocationClinicianId?: string | null;
}

export class TeamMemberCreatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName!: string;

  @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName!: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MaxLength(NAME_MAX)
  title?: string;
}

export class TeamMemberUpdatedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  firstName?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(NAME_MAX)
  lastName?: string;

  @IsOptional() @IsEmail()
  email?: string;

  @IsOptional() @IsString() @MaxLength(NAME_MAX)
  title?: string;
}

export class TeamMemberArchivedData {
  @IsString() @MinLength(1) @MaxLength(128)
  teamMemberId!: string;
}

export class ChannelChangedData {
  @ValidateNested() @Type(() => ChannelSnapshot)
  channel!: ChannelSnapshot;

  @IsString() @MinLength(1)
  actorId!: string;
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
}

export class ChannelMemberRemovedData {
  @ValidateNested() @Type(() => ChannelSnapshot)
  channel!: ChannelSnapshot;

  @IsString() @MinLength(1)
  userId!: string;

  @IsString() @MinLength(1)
  actorId!: string;
}

export class MessageCreatedData {
  @ValidateNested() @Type(() => MessageView)
  message!: MessageView;
}

/** The name → payload type map: the one place that says what each event carries. */
export interface EventPayloads {
  [Events.PatientCreated]: PatientCreatedData;
  [Events.PatientUpdated]: PatientUpdatedData;
  [Events.TeamMemberCreated]: TeamMemberCreatedData;
  [Events.TeamMemberUpdated]: TeamMemberUpdatedData;
  [Events.TeamMemberArchived]: TeamMemberArchivedData;
  [Events.ChannelCreated]: ChannelChangedData;
  [Events.ChannelUpdated]: ChannelChangedData;
  [Events.ChannelMemberAdded]: ChannelMemberAddedData;
  [Events.ChannelMemberRemoved]: ChannelMemberRemovedData;
  [Events.MessageCreated]: MessageCreatedData;
}

/** Validated envelope classes, one per event, for handlers' @Payload(). */
export const PatientCreatedEvent = envelopeOf(PatientCreatedData);
export type PatientCreatedEvent = EventEnvelope<PatientCreatedData>;
export const PatientUpdatedEvent = envelopeOf(PatientUpdatedData);
export type PatientUpdatedEvent = EventEnvelope<PatientUpdatedData>;
export const TeamMemberCreatedEvent = envelopeOf(TeamMemberCreatedData);
export type TeamMemberCreatedEvent = EventEnvelope<TeamMemberCreatedData>;
export const TeamMemberUpdatedEvent = envelopeOf(TeamMemberUpdatedData);
export type TeamMemberUpdatedEvent = EventEnvelope<TeamMemberUpdatedData>;
export const TeamMemberArchivedEvent = envelopeOf(TeamMemberArchivedData);
export type TeamMemberArchivedEvent = EventEnvelope<TeamMemberArchivedData>;
export const ChannelChangedEvent = envelopeOf(ChannelChangedData);
export type ChannelChangedEvent = EventEnvelope<ChannelChangedData>;
export const ChannelMemberAddedEvent = envelopeOf(ChannelMemberAddedData);
export type ChannelMemberAddedEvent = EventEnvelope<ChannelMemberAddedData>;
export const ChannelMemberRemovedEvent = envelopeOf(ChannelMemberRemovedData);
export type ChannelMemberRemovedEvent = EventEnvelope<ChannelMemberRemovedData>;
export const MessageCreatedEvent = envelopeOf(MessageCreatedData);
export type MessageCreatedEvent = EventEnvelope<MessageCreatedData>;

export const EVENT_ENVELOPE_CLASSES: { [K in EventName]: new () => object } = {
  [Events.PatientCreated]: PatientCreatedEvent,
  [Events.PatientUpdated]: PatientUpdatedEvent,
  [Events.TeamMemberCreated]: TeamMemberCreatedEvent,
  [Events.TeamMemberUpdated]: TeamMemberUpdatedEvent,
  [Events.TeamMemberArchived]: TeamMemberArchivedEvent,
  [Events.ChannelCreated]: ChannelChangedEvent,
  [Events.ChannelUpdated]: ChannelChangedEvent,
  [Events.ChannelMemberAdded]: ChannelMemberAddedEvent,
  [Events.ChannelMemberRemoved]: ChannelMemberRemovedEvent,
  [Events.MessageCreated]: MessageCreatedEvent,
};
