import type { Connection } from 'mongoose';
import { IntegrationModule, integrationModule, uniqueName } from '@wellifiy/testing';
import { MongoModule } from './mongo.module';
import { MongoIdempotencyStore } from './processed-event.store';

describe('MongoIdempotencyStore (FerretDB)', () => {
  let suite: IntegrationModule;
  let store: MongoIdempotencyStore;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({ database: MongoModule, providers: [MongoIdempotencyStore] });
    store = suite.moduleRef.get(MongoIdempotencyStore);
    connection = suite.db;
  });

  afterAll(() => suite?.close());

  const processed = () => connection.collection<{ _id: string; at: Date }>('processed_events');

  it('does not know an event before remember, and knows it after', async () => {
    const consumer = uniqueName('consumer');
    const eventId = uniqueName('evt');
    expect(await store.seen(consumer, eventId)).toBe(false);
    await store.remember(consumer, eventId);
    expect(await store.seen(consumer, eventId)).toBe(true);
  });

  it('keeps consumers apart: an event one consumer handled is new to another', async () => {
    const eventId = uniqueName('evt');
    const a = uniqueName('consumer-a');
    const b = uniqueName('consumer-b');
    await store.remember(a, eventId);
    expect(await store.seen(a, eventId)).toBe(true);
    expect(await store.seen(b, eventId)).toBe(false);
  });

  it('remember is repeatable and keeps the first time', async () => {
    const consumer = uniqueName('consumer');
    const eventId = uniqueName('evt');
    await store.remember(consumer, eventId);
    const first = await processed().findOne({ _id: `${consumer}:${eventId}` });
    await store.remember(consumer, eventId);
    const docs = await processed().find({ _id: `${consumer}:${eventId}` }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0].at.getTime()).toBe(first?.at.getTime());
  });

  it('remember is safe when two replicas record the same event at once', async () => {
    const consumer = uniqueName('consumer');
    const eventId = uniqueName('evt');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.remember(consumer, eventId)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await store.seen(consumer, eventId)).toBe(true);
  });

  it('prune removes entries older than the retention period and keeps recent ones', async () => {
    const consumer = uniqueName('consumer');
    const old = `${consumer}:evt-old`;
    const oldish = `${consumer}:evt-13-days`;
    await processed().insertOne({ _id: old, at: new Date(Date.now() - 15 * 24 * 3600_000) });
    await processed().insertOne({ _id: oldish, at: new Date(Date.now() - 13 * 24 * 3600_000) });
    await store.remember(consumer, 'evt-new');

    await store.prune();

    expect(await store.seen(consumer, 'evt-old')).toBe(false);
    expect(await store.seen(consumer, 'evt-13-days')).toBe(true);
    expect(await store.seen(consumer, 'evt-new')).toBe(true);
  });

  it('creates the index that pruning relies on', async () => {
    const indexes = await processed().indexes();
    expect(indexes.map((i) => i.key)).toContainEqual({ at: 1 });
  });
});
