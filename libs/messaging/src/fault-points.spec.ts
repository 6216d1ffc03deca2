import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Model } from 'mongoose';
import { Events } from '@wellifiy/contracts';
import { EventConsumer } from './event-consumer';
import type { EventPublisher } from './event-publisher';
import { FaultPoints, NO_FAULTS } from './fault-points';
import { OutboxRelay, StoredOutboxEntry } from './outbox';

/** Fault points that note when each is reached, in the same log as the work around them. */
class RecordingFaultPoints extends FaultPoints {
  constructor(private readonly log: string[]) {
    super();
  }

  afterHandler(): void {
    this.log.push('fault point: after handler');
  }

  afterOutboxWrite(): void {
    this.log.push('fault point: after outbox write');
  }
}

/** The broker side of an outbox relay: a publisher and a collection whose clears always match. */
function relayOver(log: string[], faults?: FaultPoints): { relay: OutboxRelay; model: Model<any> } {
  const publisher = {
    publishEnvelope: async (envelope: { id: string }) => {
      log.push(`publish ${envelope.id}`);
    },
  } as unknown as EventPublisher;
  const model = {
    collection: {
      name: 'things',
      updateOne: async () => {
        log.push('clear');
        return { matchedCount: 1 };
      },
    },
  } as unknown as Model<any>;
  const relay = new OutboxRelay(publisher, 'test', { sweepIntervalMs: 1000, graceMs: 5000, batchSize: 10, ...(faults ? { faults } : {}) });
  return { relay, model };
}

const stored = (id: string): StoredOutboxEntry =>
  ({ id, type: Events.PatientCreated, orgId: 'org_1', time: new Date().toISOString(), data: { patientId: 'pat_1' } }) as unknown as StoredOutboxEntry;

/** One broker channel, as EventConsumer uses it: set up at once, one consumer, acks noted in the log. */
class FakeChannel extends EventEmitter {
  readonly name = 'test.events';
  deliver?: (msg: ConsumeMessage) => void;

  constructor(private readonly log: string[]) {
    super();
  }

  waitForConnect(): Promise<void> {
    return Promise.resolve();
  }

  async consume(_queue: string, onMessage: (msg: ConsumeMessage) => void): Promise<{ consumerTag: string }> {
    this.deliver = onMessage;
    return { consumerTag: 'test' };
  }

  ack(): void {
    this.log.push('ack');
  }
}

async function consumerOver(log: string[], faults?: FaultPoints): Promise<FakeChannel> {
  const channel = new FakeChannel(log);
  const connection = { createChannel: () => channel } as unknown as AmqpConnectionManager;
  const consumer = new EventConsumer({
    connection,
    queue: channel.name,
    routingKeys: ['test.happened'],
    kind: 'durable',
    prefetch: 1,
    maxAttempts: 3,
    canHandle: () => true,
    handle: async (envelope) => {
      log.push(`handle ${envelope.id}`);
    },
    ...(faults ? { faults } : {}),
  });
  await consumer.start();
  return channel;
}

function delivery(id: string): ConsumeMessage {
  const envelope = { id, type: 'test.happened', source: 'test', time: new Date().toISOString(), orgId: 'org_1', data: {} };
  return { content: Buffer.from(JSON.stringify(envelope)), properties: { headers: {} }, fields: { deliveryTag: 1, redelivered: false } } as unknown as ConsumeMessage;
}

async function untilLogged(log: string[], entry: string): Promise<void> {
  for (let i = 0; i < 100 && !log.includes(entry); i++) await new Promise((r) => setTimeout(r, 5));
  expect(log).toContain(entry);
}

describe('fault points (the fault suite\'s crash moments, behind an injectable)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('are no-ops by default: NO_FAULTS does nothing, and a relay or consumer given none publishes and acks as usual', async () => {
    expect(NO_FAULTS.afterHandler()).toBeUndefined();
    expect(NO_FAULTS.afterOutboxWrite()).toBeUndefined();

    const log: string[] = [];
    const { relay, model } = relayOver(log);
    await relay.dispatch(model, 'doc_1', [stored('evt_1')]);
    expect(log).toEqual(['publish evt_1', 'clear']);

    const consumed: string[] = [];
    const channel = await consumerOver(consumed);
    channel.deliver?.(delivery('evt_2'));
    await untilLogged(consumed, 'ack');
    expect(consumed).toEqual(['handle evt_2', 'ack']);
  });

  it('afterOutboxWrite is reached when a writer dispatches its entries, before any is published — and not for an empty outbox', async () => {
    const log: string[] = [];
    const { relay, model } = relayOver(log, new RecordingFaultPoints(log));
    await relay.dispatch(model, 'doc_1', []);
    expect(log).toEqual([]);
    await relay.dispatch(model, 'doc_1', [stored('evt_1'), stored('evt_2')]);
    expect(log).toEqual(['fault point: after outbox write', 'publish evt_1', 'publish evt_2', 'clear']);
  });

  it('afterHandler is reached once the handler\'s work is done, before the message is acknowledged', async () => {
    const log: string[] = [];
    const channel = await consumerOver(log, new RecordingFaultPoints(log));
    channel.deliver?.(delivery('evt_3'));
    await untilLogged(log, 'ack');
    expect(log).toEqual(['handle evt_3', 'fault point: after handler', 'ack']);
  });
});
