import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';

/**
 * MongoDB applies each single-document update atomically; FerretDB v1 read the document, applied the update in Go
 * and wrote it back unguarded, losing concurrent updates (50 concurrent `$inc` applied 7–8). The build's
 * tools/scripts/lib/ferretdb-atomic-updates.patch guards each write by the document as read and retries.
 * The writers are two separate Node processes, each with its own driver connections.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../..');

/** What one writer process does; `startAt` lines both processes up so their writes overlap. */
interface Plan {
  url: string;
  db: string;
  op: 'inc' | 'cas' | 'upsert' | 'claim';
  writer: string;
  concurrency: number;
  startAt: number;
}

// Plain JavaScript run by `node -e` in the repository (mongoose's driver from node_modules).
const WRITER = `
const { MongoClient } = require('mongoose').mongo;
const plan = JSON.parse(process.argv[1]);
(async () => {
  const client = await MongoClient.connect(plan.url, { maxPoolSize: plan.concurrency });
  const coll = client.db(plan.db).collection('docs');
  await coll.findOne({ _id: 'warm-up' });
  await new Promise((r) => setTimeout(r, Math.max(0, plan.startAt - Date.now())));
  const out = [];
  await Promise.all(Array.from({ length: plan.concurrency }, async (_, i) => {
    const me = plan.writer + '-' + i;
    if (plan.op === 'inc') {
      const r = await coll.updateOne({ _id: 'counter' }, { $inc: { n: 1 }, $push: { log: me } });
      out.push(r.modifiedCount);
    } else if (plan.op === 'upsert') {
      const r = await coll.updateOne({ _id: 'created-by-upsert' }, { $inc: { n: 1 }, $push: { log: me } }, { upsert: true });
      out.push(r.modifiedCount + r.upsertedCount);
    } else if (plan.op === 'claim') {
      const doc = await coll.findOneAndUpdate({ kind: 'job', status: 'pending' }, { $set: { status: 'claimed', by: me } }, { returnDocument: 'after' });
      out.push(doc ? doc._id : null);
    } else {
      for (let attempt = 0; attempt < 8; attempt++) {
        const doc = await coll.findOne({ _id: 'versioned' });
        const r = await coll.updateOne({ _id: 'versioned', version: doc.version }, { $set: { version: doc.version + 1, by: me }, $push: { history: me } });
        if (r.modifiedCount === 1) out.push(doc.version);
      }
    }
  }));
  await client.close();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function twoProcesses<T>(db: string, op: Plan['op'], concurrency: number): Promise<T[]> {
  const startAt = Date.now() + 1500;
  const outputs = await Promise.all(
    ['a', 'b'].map(async (writer) => {
      const plan: Plan = { url: testInfra.mongoUrl, db, op, writer, concurrency, startAt };
      const { stdout } = await run(process.execPath, ['-e', WRITER, JSON.stringify(plan)], { cwd: ROOT, timeout: 60_000 });
      return JSON.parse(stdout) as T[];
    }),
  );
  return outputs.flat();
}

describe('single-document updates on the database server are atomic under concurrent writers', () => {
  let client: InstanceType<typeof mongoose.mongo.MongoClient>;
  const dbs: string[] = [];

  const freshCollection = async () => {
    const name = uniqueName('it-atomic');
    dbs.push(name);
    return { name, docs: client.db(name).collection<Record<string, unknown>>('docs') };
  };

  beforeAll(async () => {
    client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
  });

  afterAll(async () => {
    for (const name of dbs) await client.db(name).dropDatabase();
    await client.close();
  });

  it('50 concurrent $inc + $push on one document from two processes all apply', async () => {
    const { name, docs } = await freshCollection();
    await docs.insertOne({ _id: 'counter' as never, n: 0, log: [] });

    const modified = await twoProcesses<number>(name, 'inc', 25);

    const doc = await docs.findOne({ _id: 'counter' as never });
    expect(modified).toEqual(Array(50).fill(1));
    expect(doc?.n).toBe(50);
    expect(new Set(doc?.log as string[]).size).toBe(50);
  });

  it('a version compare-and-set under contention never lets two writers win the same version', async () => {
    const { name, docs } = await freshCollection();
    await docs.insertOne({ _id: 'versioned' as never, version: 0, history: [] });

    const wonVersions = await twoProcesses<number>(name, 'cas', 10);

    const doc = await docs.findOne({ _id: 'versioned' as never });
    expect(wonVersions.length).toBeGreaterThan(0);
    expect(new Set(wonVersions).size).toBe(wonVersions.length); // each version won once
    expect(doc?.version).toBe(wonVersions.length);
    expect((doc?.history as string[]).length).toBe(wonVersions.length);
  });

  it('racing upserts of one _id create one document and apply every increment', async () => {
    const { name, docs } = await freshCollection();

    const applied = await twoProcesses<number>(name, 'upsert', 25);

    expect(applied).toEqual(Array(50).fill(1));
    expect(await docs.countDocuments({})).toBe(1);
    const doc = await docs.findOne({ _id: 'created-by-upsert' as never });
    expect(doc?.n).toBe(50);
    expect((doc?.log as string[]).length).toBe(50);
  });

  it('racing findOneAndUpdate claims hand each pending document to exactly one writer', async () => {
    const { name, docs } = await freshCollection();
    await docs.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: `job-${i}` as never, kind: 'job', status: 'pending' })));

    const claimed = await twoProcesses<string | null>(name, 'claim', 20);

    const won = claimed.filter((id): id is string => id !== null);
    expect(won).toHaveLength(30); // 40 writers, 30 jobs: every job claimed, ten writers find none left
    expect(new Set(won).size).toBe(30);
    expect(await docs.countDocuments({ status: 'claimed' })).toBe(30);
  });
});
