import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { envelopeOf, EventEnvelope } from '../envelope';
import { MessageView } from '../message.types';
import { MESSAGE_CHANGED_BY, MessageChangedBy } from '../reactions';

/** Published by the messages service. */
export const MessagesEvents = {
  MessageCreated: 'message.created',
  MessageUpdated: 'message.updated',
  /** Soft delete: the message no longer counts as unread anywhere. */
  MessageDeleted: 'message.deleted',
  /** Someone added or removed a reaction: counts per emoji (ids, never names). */
  ReactionUpdated: 'reaction.updated',
  /**
   * An audited action the messages service answered (a read of a timeline, thread, media or message versions; an
   * edit or delete with its reason): ids, seqs and times only, never content. The channels service keeps the one
   * audit trail and deduplicates by the event id, which is the entry id.
   */
  AuditRecorded: 'audit.recorded',
  /**
   * A compliance officer erased a patient (crypto-shredding): every service drops the names and emails it keeps of
   * them and the free-text reasons about them, and every process that caches patient keys drops theirs. Ids and the
   * time only; published through the erasure's outbox, so it is delivered even when the service crashes after it.
   */
  PatientErased: 'patient.erased',
} as const;

export class MessageCreatedData {
  @ValidateNested() @Type(() => MessageView)
  message!: MessageView;
}

export class MessageUpdatedData {
  @ValidateNested() @Type(() => MessageView)
  message!: MessageView;
}

export class MessageDeletedData {
  @IsString() @MinLength(1)
  channelId!: string;

  @IsString() @MinLength(1)
  messageId!: string;

  @IsInt() @Min(1)
  seq!: number;

  @IsString() @MinLength(1)
  senderId!: string;

  @IsString() @MinLength(1)
  actorId!: string;

  /** Shown to participants as "removed by staff" when not the author. */
  @IsOptional() @IsIn(MESSAGE_CHANGED_BY)
  deletedBy?: MessageChangedBy;
}

export class ReactionCount {
  @IsString() @MinLength(1)
  emoji!: string;

  @IsInt() @Min(1)
  count!: number;
}

export class ReactionUpdatedData {
  @IsString() @MinLength(1)
  channelId!: string;

  @IsString() @MinLength(1)
  messageId!: string;

  @IsInt() @Min(1)
  seq!: number;

  /** Who reacted or un-reacted, and with what; a client sets its own `me` from this. */
  @IsString() @MinLength(1)
  userId!: string;

  @IsString() @MinLength(1)
  emoji!: string;

  @IsBoolean()
  reacted!: boolean;

  /** Every reaction of the message after the change. */
  @ValidateNested({ each: true }) @Type(() => ReactionCount)
  reactions!: ReactionCount[];
}

export class AuditRecordedData {
  @IsString() @MinLength(1) @MaxLength(128)
  action!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  actorId!: string;

  @IsOptional() @IsString() @MaxLength(128)
  channelId?: string | null;

  @IsOptional() @IsString() @MaxLength(128)
  messageId?: string | null;

  @IsOptional() @IsString() @MaxLength(128)
  mediaId?: string | null;

  @IsOptional() @IsString() @MaxLength(128)
  targetUserId?: string | null;

  /** The seq range a read returned, or the one message's seq (fromSeq = toSeq). */
  @IsOptional() @IsInt() @Min(0)
  fromSeq?: number | null;

  @IsOptional() @IsInt() @Min(0)
  toSeq?: number | null;

  /** Whose record the action concerns when it names no channel (a legal hold on a patient, an erasure). */
  @IsOptional() @IsString() @MaxLength(128)
  patientId?: string | null;

  /** Why (a moderation reason a team member wrote): the event is sealed for it. */
  @IsOptional() @IsString() @MaxLength(2000)
  reason?: string | null;
}

export class PatientErasedData {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  /** The compliance officer who erased the patient. */
  @IsString() @MinLength(1) @MaxLength(128)
  actorId!: string;

  /** ISO time of the erasure (the patient key was destroyed at it). */
  @IsISO8601()
  erasedAt!: string;
}

export interface MessagesEventPayloads {
  [MessagesEvents.MessageCreated]: MessageCreatedData;
  [MessagesEvents.MessageUpdated]: MessageUpdatedData;
  [MessagesEvents.MessageDeleted]: MessageDeletedData;
  [MessagesEvents.ReactionUpdated]: ReactionUpdatedData;
  [MessagesEvents.AuditRecorded]: AuditRecordedData;
  [MessagesEvents.PatientErased]: PatientErasedData;
}

export const MessageCreatedEvent = envelopeOf(MessageCreatedData);
export type MessageCreatedEvent = EventEnvelope<MessageCreatedData>;
export const MessageUpdatedEvent = envelopeOf(MessageUpdatedData);
export type MessageUpdatedEvent = EventEnvelope<MessageUpdatedData>;
export const MessageDeletedEvent = envelopeOf(MessageDeletedData);
export type MessageDeletedEvent = EventEnvelope<MessageDeletedData>;
export const ReactionUpdatedEvent = envelopeOf(ReactionUpdatedData);
export type ReactionUpdatedEvent = EventEnvelope<ReactionUpdatedData>;
export const AuditRecordedEvent = envelopeOf(AuditRecordedData);
export type AuditRecordedEvent = EventEnvelope<AuditRecordedData>;
export const PatientErasedEvent = envelopeOf(PatientErasedData);
export type PatientErasedEvent = EventEnvelope<PatientErasedData>;

export const MESSAGES_EVENT_CLASSES: { [K in keyof MessagesEventPayloads]: new () => object } = {
  [MessagesEvents.MessageCreated]: MessageCreatedEvent,
  [MessagesEvents.MessageUpdated]: MessageUpdatedEvent,
  [MessagesEvents.MessageDeleted]: MessageDeletedEvent,
  [MessagesEvents.ReactionUpdated]: ReactionUpdatedEvent,
  [MessagesEvents.AuditRecorded]: AuditRecordedEvent,
  [MessagesEvents.PatientErased]: PatientErasedEvent,
};
