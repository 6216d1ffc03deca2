import { CHANNEL_TYPES } from '../channel.types';
import { USER_KINDS } from '../identity';
import { MESSAGE_CHANGED_BY } from '../reactions';
import type { ClientToServerEvents, ServerToClientEvents } from '../realtime.types';

/** A JSON Schema (AsyncAPI 3 Schema Object, draft-07 based). */
export type JsonSchema = Record<string, unknown>;

/*
 * The Socket.IO payloads are plain interfaces (realtime.types.ts), which leave no runtime metadata, so their
 * schemas are written here. Keyed by the event maps: an event added to ServerToClientEvents or
 * ClientToServerEvents without a schema here does not compile. Class payloads (MessageView, ChannelSnapshot)
 * are referenced from the schemas derived from their class-validator metadata.
 */

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const id: JsonSchema = { type: 'string', minLength: 1 };
const obj = (properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});

const channelChanged = obj({ channelId: id, channel: ref('ChannelSnapshot') });
const channelArchiveState = obj({ channelId: id, archived: { type: 'boolean' } });

export const SERVER_TO_CLIENT_SCHEMAS: Record<keyof ServerToClientEvents, { summary: string; payload: JsonSchema }> = {
  ready: { summary: 'The socket is authenticated and has joined its channel rooms.', payload: obj({ channelCount: { type: 'integer', minimum: 0 } }) },
  error: { summary: 'A request on the socket was refused.', payload: obj({ message: { type: 'string' }, code: { type: 'string' }, statusCode: { type: 'integer' } }, ['code', 'statusCode']) },
  'message.created': { summary: 'A new message in one of the user\'s channels.', payload: ref('MessageView') },
  'message.updated': { summary: 'A message was edited or its preview changed.', payload: ref('MessageView') },
  'message.deleted': {
    summary: 'A message was removed: show a tombstone ("removed by staff" when deletedBy is staff).',
    payload: obj({ id, channelId: id, seq: { type: 'integer', minimum: 1 }, deletedBy: { type: 'string', enum: [...MESSAGE_CHANGED_BY] } }),
  },
  'reaction.updated': {
    summary: 'Reaction counts after a change; `userId` lets each client set its own `me`.',
    payload: obj({
      channelId: id,
      messageId: id,
      seq: { type: 'integer', minimum: 1 },
      userId: id,
      emoji: id,
      reacted: { type: 'boolean' },
      reactions: { type: 'array', items: obj({ emoji: id, count: { type: 'integer', minimum: 1 } }) },
    }),
  },
  'channel.created': { summary: 'A channel the user is a member of was created.', payload: channelChanged },
  'channel.updated': {
    summary: 'To the members: the channel changed. To one user\'s sockets: they archived or unarchived it.',
    payload: { oneOf: [channelChanged, channelArchiveState] },
  },
  'channel.needs_staffing': {
    summary: 'A channel has no staff member (to managers).',
    payload: obj({ channelId: id, type: { type: 'string', enum: [...CHANNEL_TYPES] } }),
  },
  'member.added': {
    summary: 'A member joined a channel.',
    payload: obj({ channelId: id, userId: id, kind: { type: 'string', enum: [...USER_KINDS] }, version: { type: 'integer', minimum: 1 } }),
  },
  'member.removed': { summary: 'A member left a channel.', payload: obj({ channelId: id, userId: id, version: { type: 'integer', minimum: 1 } }) },
  'badge.updated': {
    summary: 'To every device of the user: `total` is the badge; `channelId` null when several changed.',
    payload: obj({ total: { type: 'integer', minimum: 0 }, channelId: { type: ['string', 'null'] }, unread: { type: 'integer', minimum: 0 } }),
  },
  'receipt.updated': {
    summary: 'A member read up to `readSeq`.',
    payload: obj({ channelId: id, userId: id, kind: { type: 'string', enum: [...USER_KINDS] }, readSeq: { type: 'integer', minimum: 0 }, readAt: { type: 'string', format: 'date-time' } }),
  },
  typing: { summary: 'Someone is typing in a channel.', payload: obj({ channelId: id, userId: id }) },
};

export const CLIENT_TO_SERVER_SCHEMAS: Record<keyof ClientToServerEvents, { summary: string; payload: JsonSchema }> = {
  typing: { summary: 'The user is typing in a channel (relayed to its other members).', payload: obj({ channelId: id }) },
};
