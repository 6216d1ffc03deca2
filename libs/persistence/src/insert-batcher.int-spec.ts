import mongoose from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { InsertBatcher } from './insert-batcher';

interface Doc {
  _id: string;
  n: number;
}

describe('InsertBatcher (FerretDB)', () => {
  const dbName = uniqueName('it-batch');
  let conn: mongoose.Connection;
  let inserts = 0;

  beforeAll(async () => {
    conn = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
    conn.getClient().on('commandStarted', (e: { commandName: string }) => {
      if (e.commandName === 'insert') inserts++;
    });
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  const collection = (name: string) => conn.collection<Doc>(name);

  it('writes documents handed in together as one insert, and each promise settles once its document is stored', async () => {
    const name = uniqueName('c');
    const batcher = new InsertBatcher(() => collection(name) as never, { lingerMs: 20, maxBatch: 100 });
    const before = inserts;
    await Promise.all(Array.from({ length: 40 }, (_, n) => batcher.insert({ _id: `d${n}`, n })));
    expect(inserts - before).toBe(1);
    expect(await collection(name).countDocuments()).toBe(40);
  });

  it('splits at maxBatch, and takes what arrived during a write as the next batch', async () => {
    const name = uniqueName('c');
    const batcher = new InsertBatcher(() => collection(name) as never, { lingerMs: 20, maxBatch: 10 });
    const before = inserts;
    await Promise.all(Array.from({ length: 25 }, (_, n) => batcher.insert({ _id: `d${n}`, n })));
    expect(inserts - before).toBe(3);
    expect(await collection(name).countDocuments()).toBe(25);
  });

  it('counts a document already stored (a redelivered event) as stored, and stores the rest of its batch', async () => {
    const name = uniqueName('c');
    await collection(name).insertOne({ _id: 'd1', n: 1 });
    const batcher = new InsertBatcher(() => collection(name) as never, { lingerMs: 20, maxBatch: 100 });
    await expect(Promise.all([0, 1, 2].map((n) => batcher.insert({ _id: `d${n}`, n: n + 10 })))).resolves.toHaveLength(3);
    const docs = await collection(name).find().sort({ _id: 1 }).toArray();
    expect(docs.map((d) => [d._id, d.n])).toEqual([['d0', 10], ['d1', 1], ['d2', 12]]);
  });

  it('rejects every caller of a batch that could not be written, and writes the next batch', async () => {
    const name = uniqueName('c');
    let down = true;
    const batcher = new InsertBatcher(
      () => {
        if (down) throw new Error('database unreachable');
        return collection(name) as never;
      },
      { lingerMs: 20, maxBatch: 100 },
    );
    const failed = await Promise.allSettled([batcher.insert({ _id: 'a', n: 1 }), batcher.insert({ _id: 'b', n: 2 })]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await collection(name).countDocuments()).toBe(0);
    down = false;
    await Promise.all([batcher.insert({ _id: 'a', n: 1 }), batcher.insert({ _id: 'b', n: 2 })]);
    expect(await collection(name).countDocuments()).toBe(2);
  });
});
