import type { AmqpConnectionManager } from 'amqp-connection-manager';
import mongoose, { Connection } from 'mongoose';
import { EventEnvelope, Topology } from '@wellifiy/contracts';
import { connectAmqp, EventConsumer, EventMeta, IdempotencyStore } from '@wellifiy/messaging';
import { AmqpProbe, anEnvelope, ConsumerHarness, expectAllAcked, expectEventually, startOwnConsumer, testInfra, uniqueName } from '@wellifiy/testing';
import { MongoIdempotencyStore } from './processed-event.store';

type Harness = ConsumerHarness<EventConsumer, { envelope: EventEnvelope; meta: EventMeta }>;

/** EventConsumer + MongoIdempotencyStore: duplicates are acked without a second run, on the real broker and database. */
describe('EventConsumer with MongoIdempotencyStore (RabbitMQ + FerretDB)', () => {
  const dbName = uniqueName('it');
  let connection: AmqpConnectionManager;
  let probe: AmqpProbe;
  let mongo: Connection;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    connection = connectAmqp(testInfra.amqpUrl, uniqueName('it-idempotent-consumer'));
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
    mongo = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false }).asPromise();
  });

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.close().catch(() => undefined);
  });

  afterAll(async () => {
    await probe?.close();
    await connection?.close();
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  function startConsumer(idempotency: IdempotencyStore): Promise<Harness> {
    return startOwnConsumer(probe, consumers, ({ queueOptions, routingKey, record }) =>
      new EventConsumer({
        ...queueOptions,
        connection,
        prefetch: 1,
        maxAttempts: 5,
        idempotency,
        canHandle: (type) => type === routingKey,
        handle: async (envelope, meta) => {
          record({ envelope, meta });
        },
      }),
    );
  }

  it('runs the handler once when the same event id is delivered twice (MongoIdempotencyStore)', async () => {
    const store = new MongoIdempotencyStore(mongo);
    await store.onModuleInit();
    let seenChecks = 0;
    const counting: IdempotencyStore = {
      seen: async (consumer, id) => {
        const r = await store.seen(consumer, id);
        seenChecks++;
        return r;
      },
      remember: (consumer, id) => store.remember(consumer, id),
    };
    try {
      const h = await startConsumer(counting);
      const envelope = anEnvelope(h.routingKey);
      probe.publishJson(Topology.eventsExchange, h.routingKey, envelope);
      await expectEventually(() => expect(h.calls).toHaveLength(1));
      await expectEventually(async () => expect(await store.seen(h.queue, envelope.id)).toBe(true));

      probe.publishJson(Topology.eventsExchange, h.routingKey, envelope);
      await expectEventually(() => expect(seenChecks).toBe(2));
      await expectAllAcked(probe, h);
      expect(h.calls).toHaveLength(1);
    } finally {
      store.onModuleDestroy();
    }
  });

  // The idempotency store lives in MongoDB; a short database outage must not wedge the queue.
  it('does not leave a message unacked (blocking the queue) when the idempotency store is briefly unreachable', async () => {
    // A real connection to the database that has been lost: every command on it now fails.
    const unreachable = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false, bufferCommands: false }).asPromise();
    await unreachable.close();
    const down = new MongoIdempotencyStore(unreachable);
    const up = new MongoIdempotencyStore(mongo);
    let storeDown = true;
    let failedChecks = 0;
    const flaky: IdempotencyStore = {
      seen: async (consumer, id) => {
        if (!storeDown) return up.seen(consumer, id);
        failedChecks++;
        return down.seen(consumer, id); // rejects: the connection is gone
      },
      remember: (consumer, id) => (storeDown ? down.remember(consumer, id) : up.remember(consumer, id)),
    };
    try {
      const h = await startConsumer(flaky);
      const during = anEnvelope(h.routingKey);
      probe.publishJson(Topology.eventsExchange, h.routingKey, during);
      await expectEventually(() => expect(failedChecks).toBeGreaterThan(0));
      storeDown = false; // the database is back
      const after = anEnvelope(h.routingKey);
      probe.publishJson(Topology.eventsExchange, h.routingKey, after);

      await expectEventually(() => expect(h.calls.map((c) => c.envelope.id).sort()).toEqual([during.id, after.id].sort()), { timeoutMs: 5000 });
    } finally {
      storeDown = false;
    }
  }, 15_000);
});
