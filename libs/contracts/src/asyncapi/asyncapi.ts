// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient declaration, also needed where contracts compile from a files list (libs/messaging-client)
/// <reference path="./class-transformer-storage.d.ts" />
// class-transformer's @Type metadata: the nested class of each property (see class-transformer-storage.d.ts)
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { EnvelopeHeader } from '../envelope';
import { EVENT_ENVELOPE_CLASSES, EventName, SEALED_EVENT_TYPES } from '../events';
import { CLIENT_TO_SERVER_SCHEMAS, JsonSchema, SERVER_TO_CLIENT_SCHEMAS } from './socket-schemas';
import { Topology } from '../topology';

/*
 * Builds the AsyncAPI 3.0.0 document of every event: the broker events on `wellifiy.events` (the name → envelope
 * class map EVENT_ENVELOPE_CLASSES) and the gateway's Socket.IO events in both directions (realtime.types.ts).
 *
 * Payload schemas of the class-validator classes come from their metadata through `class-validator-jsonschema`
 * (validationMetadatasToSchemas, with class-transformer's @Type metadata for nested classes); the Socket.IO
 * payloads are interfaces and are written by hand in socket-schemas.ts.
 */

export type AsyncApiDocument = Record<string, any>;

const SCHEMA_PREFIX = '#/components/schemas/';
const ref = (name: string): JsonSchema => ({ $ref: `${SCHEMA_PREFIX}${name}` });

/** AsyncAPI keys (channels, messages, operations) allow only [A-Za-z0-9.\-_]. */
const key = (s: string): string => s.replace(/[^A-Za-z0-9.\-_]/g, '_');

/** The opened payload class of an event: the class-transformer @Type of its envelope's `data`. */
function dataClassOf(envelope: new () => object): (new () => object) | undefined {
  const meta = defaultMetadataStorage.findTypeMetadata(envelope, 'data');
  return meta?.typeFunction() as (new () => object) | undefined;
}

/** JSON Schemas of every class-validator class loaded so far (all of libs/contracts once its index is imported). */
function classSchemas(): Record<string, JsonSchema> {
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: SCHEMA_PREFIX, classTransformerMetadataStorage: defaultMetadataStorage }) as Record<string, JsonSchema>;
  return withOptionalNullable(schemas);
}

/**
 * class-validator's @IsOptional() lets null through as well as a missing property (and the services send null,
 * e.g. a channel's `patientId`), where class-validator-jsonschema only leaves the property out of `required`.
 */
function withOptionalNullable(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const storage = getMetadataStorage();
  // every class with class-validator metadata (the storage keeps them as the keys of a Map, class-validator 0.15)
  const classes = (storage as unknown as { validationMetadatas: Map<unknown, ValidationMetadata[]> }).validationMetadatas.keys();
  for (const cls of classes) {
    if (typeof cls !== 'function') continue;
    const props = (schemas[cls.name] as { properties?: Record<string, JsonSchema> } | undefined)?.properties;
    if (!props) continue;
    // the class's own metadata and its ancestors' (an envelope's correlationId is declared on the base class)
    for (const m of storage.getTargetValidationMetadatas(cls, '', true, false)) {
      if (m.type !== ValidationTypes.CONDITIONAL_VALIDATION || m.name !== IS_OPTIONAL) continue;
      const prop = props[m.propertyName];
      if (prop && !(prop.anyOf as JsonSchema[] | undefined)?.some((s) => s.type === 'null')) props[m.propertyName] = { anyOf: [prop, { type: 'null' }] };
    }
  }
  return schemas;
}

const SEALED_BOX: JsonSchema = {
  type: 'object',
  description: 'AES-256-GCM sealed box (libs/crypto KeyRing): the JSON of the event\'s `data`, sealed with the key ring shared by the services.',
  properties: {
    keyId: { type: 'string', description: 'Id of the key-encryption key that wrapped `wrappedKey`.' },
    iv: { type: 'string', description: 'base64: 12-byte nonce of the payload encryption.' },
    tag: { type: 'string', description: 'base64: 16-byte GCM authentication tag of the payload.' },
    ciphertext: { type: 'string', description: 'base64' },
    wrappedKey: { type: 'string', description: 'base64: nonce (12) + tag (16) + the data key encrypted with the key-encryption key (32).' },
  },
  required: ['keyId', 'iv', 'tag', 'ciphertext', 'wrappedKey'],
};

export interface BuildAsyncApiOptions {
  /** AMQP server host (default localhost:5672). */
  amqpHost?: string;
  /** Gateway host for Socket.IO (default localhost:3000). */
  gatewayHost?: string;
}

export function buildAsyncApiDocument(opts: BuildAsyncApiOptions = {}): AsyncApiDocument {
  const schemas: Record<string, JsonSchema> = { ...classSchemas(), SealedBox: SEALED_BOX };
  const header = schemas[EnvelopeHeader.name] as { properties: Record<string, JsonSchema>; required?: string[] };
  const channels: Record<string, any> = {};
  const operations: Record<string, any> = {};
  const messages: Record<string, any> = {};

  for (const [type, envelope] of Object.entries(EVENT_ENVELOPE_CLASSES) as [EventName, new () => object][]) {
    const data = dataClassOf(envelope);
    if (!data || !schemas[data.name]) throw new Error(`no payload schema for broker event ${type}`);
    const opened = ref(data.name);
    const envelopeWith = (extra: Record<string, JsonSchema>, description: string): JsonSchema => ({
      type: 'object',
      description,
      properties: { ...header.properties, type: { type: 'string', const: type }, ...extra },
      required: [...(header.required ?? []), ...Object.keys(extra)],
    });
    const sealed = SEALED_EVENT_TYPES.has(type);
    const channelKey = `broker.${key(type)}`;
    const channelMessages: Record<string, any> = {};
    if (sealed) {
      const wire = `broker.${key(type)}.sealed`;
      const openedName = `broker.${key(type)}.opened`;
      messages[wire] = {
        name: type,
        title: `${type} (on the wire)`,
        summary: `Sealed: the envelope carries \`sealed\` (a sealed box of the JSON of ${data.name}) and no \`data\`.`,
        contentType: 'application/json',
        payload: envelopeWith({ sealed: ref('SealedBox') }, `Wire envelope of ${type}; \`sealed\` opens to ${data.name}.`),
      };
      messages[openedName] = {
        name: type,
        title: `${type} (opened)`,
        summary: `What a consumer with the key ring validates after opening \`sealed\`: \`data\` is ${data.name}.`,
        contentType: 'application/json',
        payload: envelopeWith({ data: opened }, `Envelope of ${type} after opening.`),
      };
      channelMessages.sealed = { $ref: `#/components/messages/${wire}` };
      channelMessages.opened = { $ref: `#/components/messages/${openedName}` };
    } else {
      const name = `broker.${key(type)}`;
      messages[name] = {
        name: type,
        title: type,
        contentType: 'application/json',
        payload: envelopeWith({ data: opened }, `Envelope of ${type}; \`data\` is ${data.name}.`),
      };
      channelMessages.event = { $ref: `#/components/messages/${name}` };
    }
    channels[channelKey] = {
      address: type,
      title: `${type} (broker)`,
      description: `Routing key \`${type}\` on the topic exchange \`${Topology.eventsExchange}\`.${sealed ? ' Sealed event: its payload travels sealed.' : ''}`,
      servers: [{ $ref: '#/servers/broker' }],
      messages: channelMessages,
      bindings: { amqp: { is: 'routingKey', exchange: { name: Topology.eventsExchange, type: 'topic', durable: true, autoDelete: false, vhost: '/' }, bindingVersion: '0.3.0' } },
    };
    operations[`publish.${key(type)}`] = {
      action: 'send',
      title: `Publish ${type}`,
      channel: { $ref: `#/channels/${channelKey}` },
      messages: Object.keys(channelMessages).map((m) => ({ $ref: `#/channels/${channelKey}/messages/${m}` })),
    };
  }

  const socketChannel = (dir: 'server' | 'client', event: string, summary: string, payload: JsonSchema): void => {
    const channelKey = `socket.${dir}.${key(event)}`;
    messages[channelKey] = { name: event, title: event, summary, contentType: 'application/json', payload };
    channels[channelKey] = {
      address: event,
      title: `${event} (Socket.IO, ${dir === 'server' ? 'server → client' : 'client → server'})`,
      servers: [{ $ref: '#/servers/gateway' }],
      messages: { [key(event)]: { $ref: `#/components/messages/${channelKey}` } },
    };
    operations[`${dir === 'server' ? 'emit' : 'on'}.${key(event)}`] = {
      action: dir === 'server' ? 'send' : 'receive',
      title: dir === 'server' ? `Gateway emits ${event}` : `Gateway receives ${event}`,
      channel: { $ref: `#/channels/${channelKey}` },
      messages: [{ $ref: `#/channels/${channelKey}/messages/${key(event)}` }],
    };
  };
  for (const [event, s] of Object.entries(SERVER_TO_CLIENT_SCHEMAS)) socketChannel('server', event, s.summary, s.payload);
  for (const [event, s] of Object.entries(CLIENT_TO_SERVER_SCHEMAS)) socketChannel('client', event, s.summary, s.payload);

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Wellifiy Messaging events',
      version: '1',
      description:
        'Every broker event (RabbitMQ, CloudEvents-style envelopes on the `wellifiy.events` topic exchange, routing key = event type) and every '
        + 'Socket.IO event of the gateway in both directions. Events in SEALED_EVENT_TYPES carry `sealed` (a sealed box) instead of `data`; '
        + 'both the wire envelope and the opened one are described. See docs/realtime.md.',
    },
    servers: {
      broker: { host: opts.amqpHost ?? 'localhost:5672', protocol: 'amqp', description: 'RabbitMQ; each service connects as its own broker user.' },
      gateway: {
        host: opts.gatewayHost ?? 'localhost:3000',
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'Socket.IO endpoint of the gateway; authenticate with the bearer token in the handshake (docs/realtime.md).',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}
