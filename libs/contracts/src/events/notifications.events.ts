import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { envelopeOf, EventEnvelope } from '../envelope';
import { USER_KINDS, UserKind } from '../identity';

/** Published by the notifications service for the gateway's realtime fan-out (not stored, not outboxed). */
export const NotificationsEvents = {
  /** Users' badges changed: one event carries every affected user of one change (a message, a read, a delete). */
  BadgeUpdated: 'badge.updated',
  /** A member's read marker moved forward. */
  ReceiptUpdated: 'receipt.updated',
  /** Published by the gateway that holds the typing socket, so every gateway instance relays it (never stored). */
  TypingStarted: 'typing.started',
} as const;

/** One user's new badge, and the channel whose count changed (null when several did, e.g. an archive). */
export class UserBadge {
  @IsString() @MinLength(1)
  userId!: string;

  @IsInt() @Min(0)
  total!: number;

  @IsOptional() @IsString()
  channelId!: string | null;

  @IsInt() @Min(0)
  unread!: number;
}

export class BadgeUpdatedData {
  @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => UserBadge)
  badges!: UserBadge[];
}

export class ReceiptUpdatedData {
  @IsString() @MinLength(1)
  channelId!: string;

  @IsString() @MinLength(1)
  userId!: string;

  @IsIn(USER_KINDS)
  userKind!: UserKind;

  @IsInt() @Min(0)
  readSeq!: number;

  @IsISO8601()
  readAt!: string;

  /**
   * Who may see this marker: null = every member (the channel's room); otherwise these users only
   * (a patient's marker in a group goes to the team members, never to the other patients).
   */
  @IsOptional() @IsArray() @IsString({ each: true })
  visibleTo!: string[] | null;
}

export class TypingStartedData {
  @IsString() @MinLength(1)
  channelId!: string;

  @IsString() @MinLength(1)
  userId!: string;
}

export interface NotificationsEventPayloads {
  [NotificationsEvents.BadgeUpdated]: BadgeUpdatedData;
  [NotificationsEvents.ReceiptUpdated]: ReceiptUpdatedData;
  [NotificationsEvents.TypingStarted]: TypingStartedData;
}

export const BadgeUpdatedEvent = envelopeOf(BadgeUpdatedData);
export type BadgeUpdatedEvent = EventEnvelope<BadgeUpdatedData>;
export const ReceiptUpdatedEvent = envelopeOf(ReceiptUpdatedData);
export type ReceiptUpdatedEvent = EventEnvelope<ReceiptUpdatedData>;

export const TypingStartedEvent = envelopeOf(TypingStartedData);
export type TypingStartedEvent = EventEnvelope<TypingStartedData>;

export const NOTIFICATIONS_EVENT_CLASSES: { [K in keyof NotificationsEventPayloads]: new () => object } = {
  [NotificationsEvents.BadgeUpdated]: BadgeUpdatedEvent,
  [NotificationsEvents.ReceiptUpdated]: ReceiptUpdatedEvent,
  [NotificationsEvents.TypingStarted]: TypingStartedEvent,
};
