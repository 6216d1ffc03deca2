import mongoose from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';

/**
 * Every hot path reaches its documents by `_id` (read markers, channel states, the membership projection, the
 * outbox clear). On FerretDB the build sends `_id` equality to the `_id` index instead of its generic pushdown
 * (tools/scripts/lib/ferretdb-id-index.patch): these lookups must still answer exactly what MongoDB answers.
 */
describe('lookups by _id on the database server', () => {
  const { ObjectId } = mongoose.mongo;
  const oid = new ObjectId();
  let client: InstanceType<typeof mongoose.mongo.MongoClient>;
  let docs: mongoose.mongo.Collection<{ _id: string | number | mongoose.mongo.ObjectId; orgId: string; n: number; tags?: string[] }>;

  beforeAll(async () => {
    client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
    docs = client.db(uniqueName('it-id-lookups')).collection('docs');
    await docs.insertMany([
      { _id: 'ch_1|pt_1', orgId: 'org_1', n: 1, tags: ['a', 'b'] },
      { _id: 'ch_1|tm_1', orgId: 'org_1', n: 2 },
      { _id: '1', orgId: 'org_1', n: 3 },
      { _id: 1, orgId: 'org_1', n: 4 },
      { _id: oid, orgId: 'org_2', n: 5 },
      ...Array.from({ length: 200 }, (_, i) => ({ _id: `filler_${i}`, orgId: 'org_1', n: 100 + i })),
    ]);
  });

  afterAll(async () => {
    await client.db(docs.dbName).dropDatabase();
    await client.close();
  });

  it('finds the one document with that _id, and still applies the other conditions', async () => {
    expect(await docs.findOne({ _id: 'ch_1|pt_1', orgId: 'org_1' })).toMatchObject({ n: 1, tags: ['a', 'b'] });
    expect(await docs.findOne({ _id: 'ch_1|pt_1', orgId: 'org_2' })).toBeNull();
    expect(await docs.findOne({ _id: 'ch_1|pt_1', tags: 'b' })).toMatchObject({ n: 1 });
    expect(await docs.findOne({ _id: 'ch_1|pt_1', n: { $gt: 1 } })).toBeNull();
    expect(await docs.findOne({ _id: 'ch_9|pt_9' })).toBeNull();
    expect(await docs.find({ _id: 'filler_7' }).toArray()).toEqual([{ _id: 'filler_7', orgId: 'org_1', n: 107 }]);
  });

  it('tells a string _id from a number and from an ObjectId of the same spelling', async () => {
    expect(await docs.findOne({ _id: '1' })).toMatchObject({ n: 3 });
    expect(await docs.findOne({ _id: 1 })).toMatchObject({ n: 4 });
    expect(await docs.findOne({ _id: oid })).toMatchObject({ n: 5 });
    expect(await docs.findOne({ _id: oid.toHexString() })).toBeNull();
  });

  it('updates, finds-and-modifies and deletes by _id with conditions, touching nothing else', async () => {
    expect((await docs.updateOne({ _id: 'ch_1|tm_1', n: { $lt: 2 } }, { $set: { n: 20 } })).matchedCount).toBe(0);
    expect((await docs.updateOne({ _id: 'ch_1|tm_1', orgId: 'org_1' }, { $set: { n: 20 } })).modifiedCount).toBe(1);
    const after = await docs.findOneAndUpdate({ _id: 'ch_1|tm_1', orgId: 'org_1' }, { $max: { n: 25 } }, { returnDocument: 'after' });
    expect(after).toMatchObject({ _id: 'ch_1|tm_1', n: 25 });
    expect((await docs.deleteOne({ _id: 'filler_3', orgId: 'org_2' })).deletedCount).toBe(0);
    expect((await docs.deleteOne({ _id: 'filler_3' })).deletedCount).toBe(1);
    expect(await docs.countDocuments({})).toBe(204);
    expect(await docs.findOne({ _id: 'ch_1|pt_1' })).toMatchObject({ n: 1 });
  });
});
