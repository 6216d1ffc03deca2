import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventEnvelope, Events, Headers } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { aPatientCreated, anEnvelope } from '@wellifiy/testing';
import { EventConsumer } from './event-consumer';
import { EventSeal } from './event-seal';

const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));
const otherSeal = new EventSeal(KeyRing.parse(`k9:${KeyRing.generateKey()}`, 'k9'));

/** The broker side of one consumer: what it acks and what it dead-letters (with the reason). */
class FakeChannel extends EventEmitter {
  readonly name = 'fake';
  onMessage?: (msg: ConsumeMessage) => void;
  readonly acked: ConsumeMessage[] = [];
  readonly deadLetters: { reason: string; content: Buffer }[] = [];
  waitForConnect = async (): Promise<void> => undefined;
  consume = async (_queue: string, onMessage: (msg: ConsumeMessage) => void): Promise<void> => {
    this.onMessage = onMessage;
  };
  ack = (msg: ConsumeMessage): void => void this.acked.push(msg);
  publish = async (_exchange: string, _key: string, content: Buffer, options: { headers: Record<string, unknown> }): Promise<void> => {
    this.deadLetters.push({ reason: String(options.headers[Headers.deadLetterReason]), content });
  };
  close = async (): Promise<void> => undefined;
}

function delivery(body: unknown): ConsumeMessage {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { content, fields: { routingKey: 'rk', deliveryTag: 1, redelivered: false, exchange: '', consumerTag: 'c' }, properties: { headers: {}, messageId: 'm' } } as unknown as ConsumeMessage;
}

const messageView = { id: 'msg_1', channelId: 'ch_1', seq: 1, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: 'c1', body: 'hello', createdAt: new Date().toISOString() };

describe('EventConsumer: what it hands the handler and why it dead-letters (broker faked)', () => {
  let channel: FakeChannel;
  let handled: EventEnvelope[];
  let consumer: EventConsumer;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    channel = new FakeChannel();
    handled = [];
    const connection = { createChannel: () => channel } as unknown as AmqpConnectionManager;
    consumer = new EventConsumer({
      connection, queue: 'q', routingKeys: [], kind: 'durable', prefetch: 1, maxAttempts: 3, seal,
      canHandle: (type) => type === Events.PatientCreated || type === Events.MessageCreated,
      handle: async (envelope) => void handled.push(envelope),
    });
    await consumer.start();
  });

  afterEach(() => jest.restoreAllMocks());

  async function deliver(body: unknown): Promise<string | undefined> {
    channel.onMessage?.(delivery(body));
    await new Promise((r) => setImmediate(r));
    while (consumer.busy > 0) await new Promise((r) => setImmediate(r));
    expect(channel.acked).toHaveLength(1);
    return channel.deadLetters[0]?.reason;
  }

  it('hands a valid event in the clear to the handler as its payload class, without the fields it does not know', async () => {
    expect(await deliver({ ...anEnvelope(Events.PatientCreated, aPatientCreated({ firstName: 'Grace' })), extra: 1 })).toBeUndefined();
    expect(handled).toHaveLength(1);
    expect(handled[0]).not.toHaveProperty('extra');
    expect((handled[0].data as { firstName: string }).firstName).toBe('Grace');
  });

  it('opens a sealed event and hands it over', async () => {
    expect(await deliver(seal.toWire(anEnvelope(Events.MessageCreated, { message: messageView }) as EventEnvelope))).toBeUndefined();
    expect((handled[0].data as { message: { body: string } }).message.body).toBe('hello');
  });

  it.each<[string, () => unknown, RegExp]>([
    ['not JSON', () => '{nope', /^body is not valid JSON$/],
    ['a header field missing', () => { const { orgId: _o, ...e } = anEnvelope(Events.PatientCreated, aPatientCreated()); return e; }, /^invalid event envelope: orgId: /],
    ['a valid payload under a bad header field', () => ({ ...anEnvelope(Events.PatientCreated, aPatientCreated()), time: 'yesterday' }), /^invalid event envelope: time: /],
    ['a type it does not handle', () => anEnvelope('it.other'), /^no handler for event type "it.other"$/],
    ['a payload missing a field', () => anEnvelope(Events.PatientCreated, { patientId: 'pat_1', lastName: 'L' }), /^invalid patient.created payload: data.firstName: /],
    ['a sealed payload that does not open', () => otherSeal.toWire(anEnvelope(Events.MessageCreated, { message: messageView }) as EventEnvelope), /^sealed payload does not open: /],
    ['a sealed payload that opens to an invalid one', () => seal.toWire(anEnvelope(Events.MessageCreated, { message: { ...messageView, seq: 0 } }) as EventEnvelope), /^invalid message.created payload: data.message.seq: /],
    ['a prototype key beside a sealed payload', () => JSON.stringify(seal.toWire(anEnvelope(Events.MessageCreated, { message: messageView }) as EventEnvelope)).replace('"sealed":{', '"sealed":{"__proto__":1,'), /^invalid event envelope: sealed: must not have a "__proto__" key$/],
  ])('dead-letters %s, naming why, without handling it', async (_case, body, reason) => {
    expect(await deliver(body())).toMatch(reason);
    expect(handled).toHaveLength(0);
  });
});
