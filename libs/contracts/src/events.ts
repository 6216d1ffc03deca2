import { CHANNELS_EVENT_CLASSES, ChannelsEventPayloads, ChannelsEvents } from './events/channels.events';
import { DIRECTORY_EVENT_CLASSES, DirectoryEventPayloads, DirectoryEvents } from './events/directory.events';
import { MESSAGES_EVENT_CLASSES, MessagesEventPayloads, MessagesEvents } from './events/messages.events';
import { NOTIFICATIONS_EVENT_CLASSES, NotificationsEventPayloads, NotificationsEvents } from './events/notifications.events';

export * from './events/channels.events';
export * from './events/directory.events';
export * from './events/messages.events';
export * from './events/notifications.events';

/** Every event name, past tense. Routing key on `wellifiy.events` = the event type. */
export const Events = { ...DirectoryEvents, ...ChannelsEvents, ...MessagesEvents, ...NotificationsEvents } as const;
export type EventName = (typeof Events)[keyof typeof Events];

/** The name → payload type map: the one place that says what each event carries. */
export type EventPayloads = DirectoryEventPayloads & ChannelsEventPayloads & MessagesEventPayloads & NotificationsEventPayloads;

/** Validated envelope class per event type; consumers validate every event against it on entry. */
export const EVENT_ENVELOPE_CLASSES: { [K in EventName]: new () => object } = {
  ...DIRECTORY_EVENT_CLASSES,
  ...CHANNELS_EVENT_CLASSES,
  ...MESSAGES_EVENT_CLASSES,
  ...NOTIFICATIONS_EVENT_CLASSES,
};

/**
 * Events whose payload carries what a person wrote (a message body, a link preview of it, a free-text reason):
 * their `data` is sealed with the key ring wherever it rests — in an outbox and on the broker (libs/messaging,
 * EventSeal). Everything else is ids, counts and flags.
 */
export const SEALED_EVENT_TYPES: ReadonlySet<string> = new Set<EventName>([
  Events.MessageCreated,
  Events.MessageUpdated,
  Events.ChannelCreated,
  Events.ChannelUpdated,
  Events.ChannelMemberAdded,
  Events.ChannelMemberRemoved,
  Events.AuditRecorded,
]);
