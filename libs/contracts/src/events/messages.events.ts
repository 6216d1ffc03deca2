import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { envelopeOf, EventEnvelope } from '../envelope';
import { MessageView } from '../message.types';

/** Published by the messages service. */
export const MessagesEvents = {
  MessageCreated: 'message.created',
} as const;

export class MessageCreatedData {
  @ValidateNested() @Type(() => MessageView)
  message!: MessageView;
}

export interface MessagesEventPayloads {
  [MessagesEvents.MessageCreated]: MessageCreatedData;
}

export const MessageCreatedEvent = envelopeOf(MessageCreatedData);
export type MessageCreatedEvent = EventEnvelope<MessageCreatedData>;

export const MESSAGES_EVENT_CLASSES: { [K in keyof MessagesEventPayloads]: new () => object } = {
  [MessagesEvents.MessageCreated]: MessageCreatedEvent,
};
