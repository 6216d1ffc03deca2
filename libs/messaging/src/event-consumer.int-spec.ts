import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { register } from 'prom-client';
import { EventEnvelope, Events, Headers, Topology } from '@wellifiy/contracts';
import {
  AmqpProbe, aPatientCreated, anEnvelope, CaptureQueue, ConsumerHarness, expectAllAcked, expectEventually, startOwnConsumer, testInfra, uniqueName,
} from '@wellifiy/testing';
import { KeyRing } from '@wellifiy/crypto';
import { connect } from 'amqplib';
import { connectAmqp } from './amqp-connection';
import { EventConsumer, EventMeta } from './event-consumer';
import { EventSeal } from './event-seal';
import { PoisonMessageError } from './handler-errors';
import { IdempotencyStore } from './idempotency';
import { declareEventQueue, QueueArgumentsMismatchError, QueueOptions, REDELIVERY_LIMIT } from './topology';

type Handler = (envelope: EventEnvelope, meta: EventMeta) => Promise<void>;

/** The value of one series of the messaging metrics (0 when it has no sample yet). The test types are no event names: label "unknown". */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const [base, suffix] = name.endsWith('_count') ? [name.slice(0, -'_count'.length), name] : [name, name];
  const values = (await register.getSingleMetric(base)?.get())?.values ?? [];
  const v = values.find((x) => ((x as { metricName?: string }).metricName ?? base) === suffix && Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}

type Harness = ConsumerHarness<EventConsumer, { envelope: EventEnvelope; meta: EventMeta }>;

describe('EventConsumer (real RabbitMQ)', () => {
  let connection: AmqpConnectionManager;
  let probe: AmqpProbe;
  let deadLetters: CaptureQueue;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    connection = connectAmqp(testInfra.amqpUrl, uniqueName('it-consumer'));
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
    deadLetters = await probe.captureDeadLetters();
  });

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.close().catch(() => undefined);
  });

  afterAll(async () => {
    await probe?.close();
    await connection?.close();
  });

  /** A durable consumer on a queue of its own, bound to a routing key of its own; deleted at the end. */
  async function startConsumer(
    handler: Handler,
    opts: { maxAttempts?: number; prefetch?: number; idempotency?: IdempotencyStore; repeatSafe?: (type: string) => boolean; seal?: EventSeal } = {},
  ): Promise<Harness> {
    return startOwnConsumer(probe, consumers, ({ queueOptions, routingKey, record }) =>
      new EventConsumer({
        ...queueOptions,
        connection,
        prefetch: opts.prefetch ?? 5,
        maxAttempts: opts.maxAttempts ?? 3,
        idempotency: opts.idempotency,
        repeatSafe: opts.repeatSafe,
        seal: opts.seal,
        // patient.created is only ever sent straight to this queue (never published on the exchange).
        canHandle: (type) => type === routingKey || type === Events.PatientCreated,
        handle: async (envelope, meta) => {
          record({ envelope, meta });
          await handler(envelope, meta);
        },
      }),
    );
  }

  function deadLettered(messageId: string) {
    return expectEventually(() => {
      const found = deadLetters.byMessageId(messageId);
      expect(found).toHaveLength(1);
      return found[0];
    });
  }

  it('handles a valid event published on the exchange once and acks it', async () => {
    const h = await startConsumer(async () => undefined);
    const envelope = anEnvelope(h.routingKey, { hello: 'world' });
    probe.publishJson(Topology.eventsExchange, h.routingKey, envelope, { messageId: envelope.id });

    await expectEventually(() => expect(h.calls.map((c) => c.envelope.id)).toEqual([envelope.id]));
    expect(h.calls[0].envelope.data).toEqual({ hello: 'world' });
    expect(h.calls[0].meta.attempt).toBe(1);
    await expectAllAcked(probe, h);
    expect(h.calls).toHaveLength(1);
  });

  it('does not ask the idempotency store about a repeat-safe type, and does about every other', async () => {
    const asked: string[] = [];
    const store: IdempotencyStore = {
      seen: async (_c, id) => {
        asked.push(`seen ${id}`);
        return false;
      },
      remember: async (_c, id) => void asked.push(`remember ${id}`),
    };
    const h = await startConsumer(async () => undefined, { idempotency: store, repeatSafe: (type) => type === Events.PatientCreated });
    const safe = anEnvelope(Events.PatientCreated, aPatientCreated());
    const other = anEnvelope(h.routingKey as never, {} as never);
    probe.sendToQueue(h.queue, JSON.stringify(safe), { messageId: safe.id });
    probe.sendToQueue(h.queue, JSON.stringify(other), { messageId: other.id });

    await expectEventually(() => expect(h.calls.map((c) => c.envelope.id)).toEqual([safe.id, other.id]));
    await expectEventually(() => expect(asked).toEqual([`seen ${other.id}`, `remember ${other.id}`]));
  });

  it('dead-letters a body that is not JSON with the reason, and keeps handling the next message', async () => {
    const h = await startConsumer(async () => undefined);
    const badId = probe.sendToQueue(h.queue, '{not json');
    const good = anEnvelope(h.routingKey);
    probe.publishJson(Topology.eventsExchange, h.routingKey, good, { messageId: good.id });

    const dl = await deadLettered(badId);
    expect(dl.content).toBe('{not json');
    expect(String(dl.headers[Headers.deadLetterReason])).toMatch(/JSON/);
    expect(dl.headers[Headers.deadLetterQueue]).toBe(h.queue);
    await expectEventually(() => expect(h.calls.map((c) => c.envelope.id)).toEqual([good.id]));
    await expectAllAcked(probe, h);
  });

  it('dead-letters a patient.created whose data lacks firstName, naming the field', async () => {
    const h = await startConsumer(async () => undefined);
    const data = aPatientCreated();
    delete data.firstName;
    const envelope = anEnvelope(Events.PatientCreated, data);
    const id = probe.sendToQueue(h.queue, JSON.stringify(envelope), { messageId: envelope.id });

    const dl = await deadLettered(id);
    expect(String(dl.headers[Headers.deadLetterReason])).toContain('data.firstName');
    expect(h.calls).toHaveLength(0);
    await expectAllAcked(probe, h);
  });

  it('hands a valid patient.created sent straight to the queue to the handler', async () => {
    const h = await startConsumer(async () => undefined);
    const envelope = anEnvelope(Events.PatientCreated, aPatientCreated({ firstName: 'Grace' }));
    probe.sendToQueue(h.queue, JSON.stringify(envelope), { messageId: envelope.id });

    await expectEventually(() => expect(h.calls).toHaveLength(1));
    expect((h.calls[0].envelope.data as { firstName: string }).firstName).toBe('Grace');
    await expectAllAcked(probe, h);
  });

  it('dead-letters an envelope of an unknown type', async () => {
    const h = await startConsumer(async () => undefined);
    const envelope = anEnvelope(`it.unknown.${uniqueName('t')}`);
    const id = probe.sendToQueue(h.queue, JSON.stringify(envelope), { messageId: envelope.id });

    const dl = await deadLettered(id);
    expect(String(dl.headers[Headers.deadLetterReason])).toContain(`no handler for event type "${envelope.type}"`);
    expect(h.calls).toHaveLength(0);
    await expectAllAcked(probe, h);
  });

  it('dead-letters an envelope missing its header fields', async () => {
    const h = await startConsumer(async () => undefined);
    const { orgId: _orgId, ...withoutOrg } = anEnvelope(h.routingKey);
    const id = probe.sendToQueue(h.queue, JSON.stringify(withoutOrg));

    const dl = await deadLettered(id);
    expect(String(dl.headers[Headers.deadLetterReason])).toMatch(/invalid event envelope: .*orgId/);
    expect(h.calls).toHaveLength(0);
  });

  it('dead-letters a known type whose payload is valid but whose header is not, naming the header field', async () => {
    const h = await startConsumer(async () => undefined);
    const envelope = { ...anEnvelope(Events.PatientCreated, aPatientCreated()), time: 'yesterday' };
    const id = probe.sendToQueue(h.queue, JSON.stringify(envelope), { messageId: envelope.id });

    const dl = await deadLettered(id);
    expect(String(dl.headers[Headers.deadLetterReason])).toMatch(/^invalid event envelope: time: /);
    expect(h.calls).toHaveLength(0);
    await expectAllAcked(probe, h);
  });

  it('retries a failing handler through the retry queue and succeeds on attempt 3', async () => {
    let failures = 0;
    const h = await startConsumer(async () => {
      if (failures < 2) {
        failures++;
        throw new Error(`transient failure ${failures}`);
      }
    }, { maxAttempts: 5 });
    const retriesBefore = await metric('event_retries_total', { event: 'unknown' });
    const retriedBefore = await metric('event_handling_duration_seconds_count', { event: 'unknown', outcome: 'retried' });
    const envelope = anEnvelope(h.routingKey);
    probe.publishJson(Topology.eventsExchange, h.routingKey, envelope, { messageId: envelope.id });

    await expectEventually(() => expect(h.calls.map((c) => c.meta.attempt)).toEqual([1, 2, 3]), { timeoutMs: 10_000 });
    expect((await metric('event_retries_total', { event: 'unknown' })) - retriesBefore).toBe(2);
    expect((await metric('event_handling_duration_seconds_count', { event: 'unknown', outcome: 'retried' })) - retriedBefore).toBe(2);
    expect(h.calls.every((c) => c.envelope.id === envelope.id)).toBe(true);
    await expectAllAcked(probe, h);
    expect(await probe.readyCount(Topology.retryQueue(h.queue))).toBe(0);
    expect(deadLetters.byMessageId(envelope.id)).toHaveLength(0);
  });

  it('dead-letters an always-failing event after maxAttempts with the error in the reason', async () => {
    const h = await startConsumer(async (env) => {
      throw new Error(`boom for ${env.id}`);
    }, { maxAttempts: 3 });
    const exhaustedBefore = await metric('event_dead_letters_total', { event: 'unknown', reason: 'exhausted' });
    const envelope = anEnvelope(h.routingKey);
    probe.publishJson(Topology.eventsExchange, h.routingKey, envelope, { messageId: envelope.id });

    const dl = await deadLettered(envelope.id);
    expect(h.calls.map((c) => c.meta.attempt)).toEqual([1, 2, 3]);
    expect((await metric('event_dead_letters_total', { event: 'unknown', reason: 'exhausted' })) - exhaustedBefore).toBe(1);
    const reason = String(dl.headers[Headers.deadLetterReason]);
    expect(reason).toContain(`boom for ${envelope.id}`);
    expect(reason).toContain('3 attempt');
    expect((dl.body as { id: string }).id).toBe(envelope.id);
    await expectAllAcked(probe, h);
  });

  it('dead-letters at once when the handler throws PoisonMessageError', async () => {
    const h = await startConsumer(async () => {
      throw new PoisonMessageError('cannot ever work');
    }, { maxAttempts: 5 });
    const poisonBefore = await metric('event_dead_letters_total', { event: 'unknown', reason: 'poison' });
    const envelope = anEnvelope(h.routingKey);
    probe.publishJson(Topology.eventsExchange, h.routingKey, envelope, { messageId: envelope.id });

    const dl = await deadLettered(envelope.id);
    expect(String(dl.headers[Headers.deadLetterReason])).toContain('cannot ever work');
    expect((await metric('event_dead_letters_total', { event: 'unknown', reason: 'poison' })) - poisonBefore).toBe(1);
    expect(h.calls.map((c) => c.meta.attempt)).toEqual([1]);
    await expectAllAcked(probe, h);
  });

  describe('item 3, plaintext PHI: sealed payloads', () => {
    const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));

    it('item 3: a sealed payload is opened before validation and handling', async () => {
      const h = await startConsumer(async () => undefined, { seal });
      const { data, ...header } = anEnvelope(h.routingKey, { body: 'I feel worse since the new dose' });
      probe.publishJson(Topology.eventsExchange, h.routingKey, { ...header, sealed: seal.sealData(header, data) }, { messageId: header.id });

      await expectEventually(() => expect(h.calls.map((c) => c.envelope.data)).toEqual([{ body: 'I feel worse since the new dose' }]));
      expect(h.calls[0].envelope).not.toHaveProperty('sealed');
      await expectAllAcked(probe, h);
    });

    it('item 3: a sealed payload that does not open (moved to another organisation) is dead-lettered with the reason, unhandled', async () => {
      const h = await startConsumer(async () => undefined, { seal });
      const { data, ...header } = anEnvelope(h.routingKey, { body: 'x' });
      probe.publishJson(Topology.eventsExchange, h.routingKey, { ...header, orgId: 'org_other', sealed: seal.sealData(header, data) }, { messageId: header.id });

      const dead = await deadLettered(header.id);
      expect(String(dead.headers[Headers.deadLetterReason])).toMatch(/sealed payload does not open/);
      expect(h.calls).toEqual([]);
    });

    it('item 3: an envelope that came in the clear is retried and dead-lettered sealed, and still handled on the retry', async () => {
      const name = `Marker${uniqueName('name')}`;
      const h = await startConsumer(async () => {
        throw new Error('not yet');
      }, { seal, maxAttempts: 2 });
      const envelope = anEnvelope(Events.PatientCreated, aPatientCreated({ firstName: name }));
      probe.sendToQueue(h.queue, JSON.stringify(envelope), { messageId: envelope.id });

      const dead = await deadLettered(envelope.id);
      expect(dead.content).not.toContain(name);
      expect(dead.body).toMatchObject({ id: envelope.id, type: Events.PatientCreated, sealed: { keyId: 'k1' } });
      // The second attempt came from the (sealed) retry copy and saw the same payload.
      expect(h.calls.map((c) => [c.meta.attempt, (c.envelope.data as { firstName: string }).firstName])).toEqual([[1, name], [2, name]]);
    });

    it('item 3: a body that is not JSON is dead-lettered sealed whole, and opens for an operator', async () => {
      const h = await startConsumer(async () => undefined, { seal });
      const messageId = uniqueName('raw');
      probe.sendToQueue(h.queue, 'Ada Lovelace, DOB 1815-12-10 (not JSON)', { messageId });

      const dead = await deadLettered(messageId);
      expect(dead.content).not.toContain('Lovelace');
      const box = (dead.body as { sealedMessage: Parameters<EventSeal['openBytes']>[0] }).sealedMessage;
      expect(seal.openBytes(box, 'dead-letter').toString('utf8')).toBe('Ada Lovelace, DOB 1815-12-10 (not JSON)');
      expect(dead.headers[Headers.deadLetterReason]).toBe('body is not valid JSON');
    });
  });

  describe('quorum queues (issue 15, item 2)', () => {
    /** A declaration with other arguments is refused (406) by RabbitMQ: how a queue's type is seen over AMQP. */
    async function refusalOf(queue: string, options: import('amqplib').Options.AssertQueue): Promise<string> {
      const conn = await connect(testInfra.amqpUrl);
      try {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        return await ch.assertQueue(queue, options).then(() => 'accepted', (err: Error) => err.message);
      } finally {
        await conn.close().catch(() => undefined);
      }
    }

    it('the event queue and its retry queue are quorum queues with a delivery limit; a classic re-declaration is refused', async () => {
      const h = await startConsumer(async () => undefined);
      const asClassic = (o: import('amqplib').Options.AssertQueue) => ({ ...o, arguments: { ...o.arguments, 'x-queue-type': 'classic' } });
      expect(await refusalOf(h.queue, asClassic(QueueOptions.events()))).toMatch(/inequivalent arg 'x-queue-type'.*current is 'quorum'/);
      expect(await refusalOf(Topology.retryQueue(h.queue), asClassic(QueueOptions.retry(h.queue)))).toMatch(/inequivalent arg 'x-queue-type'.*current is 'quorum'/);
      expect(await refusalOf(h.queue, { durable: true, arguments: { ...QueueOptions.events().arguments, 'x-delivery-limit': REDELIVERY_LIMIT + 1 } })).toMatch(/inequivalent arg 'x-delivery-limit'/);
      expect(await refusalOf(h.queue, QueueOptions.events())).toBe('accepted');
      expect(await refusalOf(Topology.retryQueue(h.queue), QueueOptions.retry(h.queue))).toBe('accepted');
    });

    it('a message its consumers never settle (they crash with it) is dead-lettered at the redelivery limit, sealed, without running the handler again', async () => {
      const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));
      const queue = uniqueName('it.q');
      probe.deleteOnClose(queue, Topology.retryQueue(queue));
      const conn = await connect(testInfra.amqpUrl);
      const envelope = anEnvelope(Events.PatientCreated, aPatientCreated({ firstName: 'Philippa' }));
      try {
        const ch = await conn.createChannel();
        await declareEventQueue(ch, queue, []);
        probe.sendToQueue(queue, JSON.stringify(envelope), { messageId: envelope.id });
        // Each return without an ack is a delivery the broker counts, as a consumer's crash is.
        let seen = 0;
        await ch.prefetch(1);
        await new Promise<void>((resolve) => {
          void ch.consume(queue, (msg) => {
            if (!msg) return;
            seen = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
            // The broker's last delivery is the one with count = limit: held unacked, the consumer below gets that one.
            if (seen >= REDELIVERY_LIMIT - 1) return resolve();
            ch.nack(msg, false, true);
          });
        });
        await ch.close(); // returns the last delivery, as a crash would
        expect(seen).toBe(REDELIVERY_LIMIT - 1);
      } finally {
        await conn.close().catch(() => undefined);
      }
      const calls: string[] = [];
      const consumer = new EventConsumer({
        connection, queue, routingKeys: [], kind: 'durable', prefetch: 5, maxAttempts: 3, seal,
        canHandle: () => true,
        handle: async (e) => void calls.push(e.id),
      });
      consumers.push(consumer);
      await consumer.start();

      const dl = await deadLettered(envelope.id);
      expect(String(dl.headers[Headers.deadLetterReason])).toMatch(/without being settled/);
      expect(dl.content).not.toContain('Philippa');
      expect(calls).toEqual([]);
      await expectEventually(async () => expect(await probe.readyCount(queue)).toBe(0));
    });

    it('a classic queue of an earlier release under the same name: setup fails saying what to run, instead of waiting for ever', async () => {
      const queue = uniqueName('it.q');
      probe.deleteOnClose(queue, Topology.retryQueue(queue));
      await probe.channel.assertQueue(queue, { durable: true, arguments: { 'x-dead-letter-exchange': Topology.deadLetterExchange } });
      const consumer = new EventConsumer({
        connection, queue, routingKeys: [], kind: 'durable', prefetch: 5, maxAttempts: 3,
        canHandle: () => true,
        handle: async () => undefined,
      });
      consumers.push(consumer);
      const err = await consumer.start().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(QueueArgumentsMismatchError);
      expect((err as Error).message).toContain(`rabbitmqctl delete_queue ${queue}`);
      expect((err as Error).message).toContain('docs/rabbitmq-migration.md');
      expect((err as Error).message).toMatch(/inequivalent arg/);
    });
  });
});
