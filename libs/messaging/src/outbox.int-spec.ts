import { randomUUID } from 'node:crypto';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import mongoose, { Connection, Model, Schema } from 'mongoose';
import { EventName, Events, Topology } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { AmqpProbe, CaptureQueue, expectEventually, testInfra, uniqueName, uniqueRoutingKey } from '@wellifiy/testing';
import { connectAmqp } from './amqp-connection';
import { EventPublisher } from './event-publisher';
import { EventSeal, WireEnvelope } from './event-seal';
import { outboxEntry, outboxSchemaFields, OutboxRelay, pushOutbox, StoredOutboxEntry, WithOutbox } from './outbox';

interface ThingDoc extends WithOutbox {
  _id: string;
  name: string;
}

const ThingSchema = new Schema<ThingDoc>(
  { _id: { type: String, required: true }, name: { type: String, required: true }, ...outboxSchemaFields },
  { collection: 'things', versionKey: false },
);

describe('OutboxRelay (FerretDB + RabbitMQ)', () => {
  const dbName = uniqueName('it');
  const routingKey = uniqueRoutingKey();
  let mongo: Connection;
  let things: Model<ThingDoc>;
  let amqp: AmqpConnectionManager;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let probe: AmqpProbe;
  let published: CaptureQueue;

  beforeAll(async () => {
    mongo = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
    things = mongo.model<ThingDoc>('Thing', ThingSchema);
    await things.init();
    amqp = connectAmqp(testInfra.amqpUrl, uniqueName('it-outbox'));
    publisher = new EventPublisher(amqp, 'it-outbox');
    // A long grace period: only documents the tests back-date are old enough for the sweeper.
    relay = new OutboxRelay(publisher, 'it-outbox', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 });
    relay.register(things);
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
    published = await probe.capture(Topology.eventsExchange, 'topic', [routingKey]);
  });

  afterAll(async () => {
    relay?.stop();
    await probe?.close();
    await publisher?.close();
    await amqp?.close();
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  /** An entry whose type is this suite's own routing key, so no service queue receives it. */
  function entry(data: Record<string, unknown> = {}): StoredOutboxEntry {
    return relay.toStored([outboxEntry(routingKey as unknown as EventName, { n: randomUUID(), ...data } as never, { orgId: 'org_it', correlationId: 'corr-it' })])[0];
  }

  async function insertThing(entries: StoredOutboxEntry[], outboxAt = new Date()): Promise<string> {
    const _id = `thing_${randomUUID()}`;
    await things.collection.insertOne({ _id, name: 'a thing', outbox: entries, outboxAt, outboxPending: 1 } as never);
    return _id;
  }

  const raw = (id: string) => things.collection.findOne({ _id: id as never });
  const publishedIds = () => published.messages.map((m) => (m.body as { id: string }).id);

  it('dispatch publishes every entry as an envelope, in order, then clears outbox and outboxAt', async () => {
    const entries = [entry({ step: 1 }), entry({ step: 2 })];
    const id = await insertThing(entries);

    await relay.dispatch(things, id, entries);

    await expectEventually(() => expect(publishedIds()).toEqual(expect.arrayContaining(entries.map((e) => e.id))));
    const mine = published.messages.filter((m) => entries.some((e) => e.id === (m.body as { id: string }).id));
    expect(mine.map((m) => (m.body as { id: string }).id)).toEqual(entries.map((e) => e.id));
    expect(mine[0].body).toEqual({
      id: entries[0].id,
      type: routingKey,
      source: 'it-outbox',
      time: entries[0].time,
      orgId: 'org_it',
      data: entries[0].data,
      correlationId: 'corr-it',
    });
    expect(mine[0].messageId).toBe(entries[0].id);
    expect(mine[0].routingKey).toBe(routingKey);
    const doc = await raw(id);
    expect(doc?.outbox).toEqual([]);
    expect(doc).not.toHaveProperty('outboxAt');
    expect(doc).not.toHaveProperty('outboxPending');
  });

  it('dispatchSoon returns at once; entries sharing an order key reach the broker in call order; drain waits for all', async () => {
    const docs: { id: string; e: StoredOutboxEntry }[] = [];
    for (let i = 0; i < 20; i++) {
      const e = entry({ i });
      docs.push({ id: await insertThing([e]), e });
    }
    // Entries of different sizes make unordered publishes likely to overtake each other.
    for (const { id, e } of docs) relay.dispatchSoon(things, id, [e], 'channel-a');
    await relay.drain();

    const order = publishedIds().filter((pid) => docs.some((d) => d.e.id === pid));
    expect(order).toEqual(docs.map((d) => d.e.id));
    for (const { id } of docs) expect(await raw(id)).toMatchObject({ outbox: [] });
  });

  it('clears an outbox holding exactly the dispatched entries with one write', async () => {
    const entries = [entry({ which: 'a' }), entry({ which: 'b' })];
    const id = await insertThing(entries);
    const updates: string[] = [];
    const client = mongo.getClient();
    const onCommand = (e: { commandName: string }): void => void updates.push(e.commandName);
    client.on('commandStarted', onCommand);
    try {
      await relay.dispatch(things, id, entries);
    } finally {
      client.off('commandStarted', onCommand);
    }
    expect(updates.filter((c) => c === 'update')).toHaveLength(1);
    const doc = await raw(id);
    expect(doc?.outbox).toEqual([]);
    expect(doc).not.toHaveProperty('outboxAt');
    expect(doc).not.toHaveProperty('outboxPending');
  });

  it('removes only the dispatched entries when another was appended meanwhile', async () => {
    const first = entry({ which: 'first' });
    const id = await insertThing([first]);
    const later = entry({ which: 'later' });
    await things.collection.updateOne({ _id: id as never }, pushOutbox([later]) as never);

    await relay.dispatch(things, id, [first]);

    const doc = await raw(id);
    expect(doc?.outbox).toEqual([later]);
    expect(doc?.outboxAt).toBeInstanceOf(Date);
    expect(doc?.outboxPending).toBe(1);
    await expectEventually(() => expect(publishedIds()).toContain(first.id));
    expect(publishedIds()).not.toContain(later.id);

    // The later writer's own dispatch then empties the outbox and unsets outboxAt.
    await relay.dispatch(things, id, [later]);
    const emptied = await raw(id);
    expect(emptied?.outbox).toEqual([]);
    expect(emptied).not.toHaveProperty('outboxAt');
    expect(emptied).not.toHaveProperty('outboxPending');
    await expectEventually(() => expect(publishedIds()).toContain(later.id));
  });

  // Writers changing the same document at once (e.g. two members added to one channel while the relay clears
  // its outbox), without any lock: each update is one atomic single-document write, so no entry may vanish.
  it('loses no entry when writers append, unlocked, while dispatches clear the outbox', async () => {
    const first = entry({ which: 'first' });
    const id = await insertThing([first]);
    const appended = Array.from({ length: 10 }, (_, i) => entry({ appended: i }));

    await Promise.all([
      relay.dispatch(things, id, [first]),
      ...appended.map((e) => things.collection.updateOne({ _id: id as never }, pushOutbox([e]) as never)),
    ]);

    const doc = await raw(id);
    const remaining = ((doc?.outbox ?? []) as StoredOutboxEntry[]).map((e) => e.id);
    const lost = appended.map((e) => e.id).filter((eid) => !remaining.includes(eid) && !publishedIds().includes(eid));
    expect(lost).toEqual([]);
    expect(remaining).not.toContain(first.id);
    expect(doc?.outboxPending).toBe(remaining.length ? 1 : undefined);
  });

  it('clears the outboxes of dispatches made together in fewer commands than dispatches, each exactly', async () => {
    const batch = await Promise.all(Array.from({ length: 30 }, async () => {
      const entries = [entry()];
      return { id: await insertThing(entries), entries };
    }));
    // One of them got another entry meanwhile: its clear must keep that one.
    const later = entry({ which: 'later' });
    await things.collection.updateOne({ _id: batch[7].id as never }, pushOutbox([later]) as never);
    const commands: string[] = [];
    const client = mongo.getClient();
    const onCommand = (e: { commandName: string }): void => void commands.push(e.commandName);
    client.on('commandStarted', onCommand);
    try {
      await Promise.all(batch.map((b) => relay.dispatch(things, b.id, b.entries)));
    } finally {
      client.off('commandStarted', onCommand);
    }
    expect(commands.filter((c) => c === 'update').length).toBeLessThan(batch.length / 2);
    for (const [i, b] of batch.entries()) {
      const doc = await raw(b.id);
      if (i === 7) {
        expect(doc?.outbox).toEqual([later]);
        expect(doc?.outboxPending).toBe(1);
      } else {
        expect(doc?.outbox).toEqual([]);
        expect(doc).not.toHaveProperty('outboxPending');
      }
    }
    await expectEventually(() => expect(publishedIds()).toEqual(expect.arrayContaining(batch.flatMap((b) => b.entries.map((e) => e.id)))));
  });

  it('sweep publishes and clears entries a crash left behind, and unsets outboxAt of an empty outbox', async () => {
    const longAgo = new Date(Date.now() - 3600_000);
    const stranded = [entry({ stranded: 1 }), entry({ stranded: 2 })];
    const strandedId = await insertThing(stranded, longAgo);
    const emptyId = await insertThing([], longAgo);
    const fresh = entry({ fresh: true });
    const freshId = await insertThing([fresh]); // within the grace period: left to its writer's dispatch

    const relayed = await relay.sweep();

    expect(relayed).toBe(2);
    await expectEventually(() => expect(publishedIds()).toEqual(expect.arrayContaining(stranded.map((e) => e.id))));
    const strandedDoc = await raw(strandedId);
    expect(strandedDoc?.outbox).toEqual([]);
    expect(strandedDoc).not.toHaveProperty('outboxAt');
    expect(strandedDoc).not.toHaveProperty('outboxPending');
    const emptyDoc = await raw(emptyId);
    expect(emptyDoc?.outbox).toEqual([]);
    expect(emptyDoc).not.toHaveProperty('outboxAt');
    expect(emptyDoc).not.toHaveProperty('outboxPending');
    const freshDoc = await raw(freshId);
    expect(freshDoc?.outbox).toEqual([fresh]);
    expect(publishedIds()).not.toContain(fresh.id);

    // Nothing is left for a second sweep.
    expect(await relay.sweep()).toBe(0);
  });

  it('replicas: two sweepers (separate relays and broker connections) over the same stranded entries publish each under its one event id and leave every outbox cleared', async () => {
    // Another replica of the service: its own relay state and its own connection, the same collection.
    const amqpB = connectAmqp(testInfra.amqpUrl, uniqueName('it-outbox-b'));
    const publisherB = new EventPublisher(amqpB, 'it-outbox');
    const relayB = new OutboxRelay(publisherB, 'it-outbox', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 });
    relayB.register(things);
    try {
      const longAgo = new Date(Date.now() - 3600_000);
      const docs = await Promise.all(Array.from({ length: 20 }, async (_v, i) => {
        const entries = [entry({ replica: i, step: 1 }), entry({ replica: i, step: 2 })];
        return { id: await insertThing(entries, longAgo), entries };
      }));
      const ids = docs.flatMap((d) => d.entries.map((e) => e.id));

      const [a, b] = await Promise.all([relay.sweep(), relayB.sweep()]);

      // Between them every entry went out, at least once; a copy is the same envelope, which consumers drop by its id.
      expect(a + b).toBeGreaterThanOrEqual(ids.length);
      await expectEventually(() => expect(publishedIds()).toEqual(expect.arrayContaining(ids)));
      const copies = published.messages.filter((m) => ids.includes((m.body as { id: string }).id));
      const first = new Map<string, unknown>();
      for (const m of copies) {
        const body = m.body as { id: string };
        if (!first.has(body.id)) first.set(body.id, body);
        expect(body).toEqual(first.get(body.id));
      }
      for (const d of docs) {
        const doc = await raw(d.id);
        expect(doc?.outbox).toEqual([]);
        expect(doc).not.toHaveProperty('outboxPending');
      }
      // And nothing is left for either replica.
      expect(await relay.sweep()).toBe(0);
      expect(await relayB.sweep()).toBe(0);
    } finally {
      relayB.stop();
      await publisherB.close();
      await amqpB.close();
    }
  });

  it('item 3: a content event rests sealed in its document and is published as it rests (the relay never opens it)', async () => {
    const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));
    // A publisher that records what it was handed: a real message.created must not reach the shared broker's queues.
    const handed: WireEnvelope[] = [];
    const recorder = { publishEnvelope: async (e: WireEnvelope) => void handed.push(e) } as unknown as EventPublisher;
    const sealing = new OutboxRelay(recorder, 'it-outbox', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, seal);
    const secret = `my-diagnosis-${randomUUID()}`;
    const [stored] = sealing.toStored([outboxEntry(Events.MessageCreated, { message: { body: secret } } as never, { orgId: 'org_it' })]);
    const id = await insertThing([stored]);

    const raw1 = await raw(id);
    expect(JSON.stringify(raw1)).not.toContain(secret);
    expect(raw1?.outbox[0]).not.toHaveProperty('data');

    await sealing.dispatch(things, id, [stored]);
    expect(handed).toHaveLength(1);
    expect(handed[0].sealed).toEqual(stored.sealed);
    expect(seal.open(handed[0]).data).toEqual({ message: { body: secret } });
    expect((await raw(id))?.outbox).toEqual([]);
  });

  it('item 3: a process without a key ring refuses to store a content event rather than store it in the clear', () => {
    expect(() => relay.toStored([outboxEntry(Events.MessageCreated, { message: {} } as never, { orgId: 'org_it' })])).toThrow(/must be sealed/);
  });
});
