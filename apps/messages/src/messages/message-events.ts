import { Events, MessageView } from '@wellifiy/contracts';
import { OutboxEntry, outboxEntry } from '@wellifiy/messaging';

/** Who an event is for and which request decided it. */
export interface EventMeta {
  orgId: string;
  correlationId?: string;
}

/** The events that announce a message as a whole; the services build them, the store writes them with the message. */
export const MessageEvents = {
  created: (message: MessageView, meta: EventMeta): OutboxEntry => outboxEntry(Events.MessageCreated, { message }, meta),
  updated: (message: MessageView, meta: EventMeta): OutboxEntry => outboxEntry(Events.MessageUpdated, { message }, meta),
};
