import { Type } from 'class-transformer';
import { IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { envelopeOf, EventEnvelope } from '../envelope';
import { MessageView } from '../message.types';

/** Published by the messages service. */
export const MessagesEvents = {
  MessageCreated: 'message.created',
  MessageUpdated: 'message.updated',
  /** Soft delete: the message no longer counts as unread anywhere. */
  MessageDeleted: 'message.deleted',
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
}

export interface MessagesEventPayloads {
  [MessagesEvents.MessageCreated]: MessageCreatedData;
  [MessagesEvents.MessageUpdated]: MessageUpdatedData;
  [MessagesEvents.MessageDeleted]: MessageDeletedData;
}

export const MessageCreatedEvent = envelopeOf(MessageCreatedData);
export type MessageCreatedEvent = EventEnvelope<MessageCreatedData>;
export const MessageUpdatedEvent = envelopeOf(MessageUpdatedData);
export type MessageUpdatedEvent = EventEnvelope<MessageUpdatedData>;
export const MessageDeletedEvent = envelopeOf(MessageDeletedData);
export type MessageDeletedEvent = EventEnvelope<MessageDeletedData>;

export const MESSAGES_EVENT_CLASSES: { [K in keyof MessagesEventPayloads]: new () => object } = {
  [MessagesEvents.MessageCreated]: MessageCreatedEvent,
  [MessagesEvents.MessageUpdated]: MessageUpdatedEvent,
  [MessagesEvents.MessageDeleted]: MessageDeletedEvent,
};
