import mongoose from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';

/**
 * FerretDB v1 pushed equalities down to PostgreSQL but evaluated `$in` itself, over every row the other fields
 * matched: a badge flush's `{ orgId, userId: { $in }, member: true }` read the organisation's every read marker.
 * tools/scripts/lib/ferretdb-in-pushdown.patch sends `$in` of strings and ObjectIDs as ORed equalities, which the
 * fields' GIN companions serve. A pushdown only narrows what the backend returns, so first: the results are
 * MongoDB's, also for the values and fields it leaves to the handler. Then, on the embedded database, the plan:
 * the `$in` field is in PostgreSQL's condition and no table is scanned.
 */
describe('$in filters on the embedded database', () => {
  jest.setTimeout(120_000);
  const dbName = uniqueName('it-in-pushdown');
  let client: InstanceType<typeof mongoose.mongo.MongoClient>;
  let coll: mongoose.mongo.Collection<Row>;
  let ferret = false;
  const USERS = 2000;
  const ROWS = 20_000;

  beforeAll(async () => {
    client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    ferret = 'ferretdbVersion' in info;
    coll = client.db(dbName).collection<Row>('read_states');
    await coll.createIndex({ orgId: 1, userId: 1, member: 1 }); // as the notifications service declares it
    const rows = Array.from({ length: ROWS }, (_, i) => ({ _id: `ch_${Math.floor(i / 10)}|u_${i % USERS}`, orgId: 'org_1', userId: `u_${i % USERS}`, member: i % 7 !== 0 }));
    for (let i = 0; i < rows.length; i += 5000) await coll.insertMany(rows.slice(i, i + 5000), { ordered: false });
    await coll.insertMany([
      { _id: 'array', orgId: 'org_1', userId: ['u_1', 'u_x'], member: true }, // an array containing a value matches
      { _id: 'number', orgId: 'org_1', userId: 1, member: true }, // 1 is not '1'
      { _id: 'missing', orgId: 'org_1', member: true },
      { _id: 'other-org', orgId: 'org_2', userId: 'u_1', member: true },
    ]);
  });

  afterAll(async () => {
    await client?.db(dbName).dropDatabase().catch(() => undefined);
    await client?.close();
  });

  const ids = async (filter: Record<string, unknown>): Promise<string[]> =>
    (await coll.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();

  const expected = (users: string[], member = true): string[] => {
    const out: string[] = [];
    for (let i = 0; i < ROWS; i++) if (users.includes(`u_${i % USERS}`) && (i % 7 !== 0) === member) out.push(`ch_${Math.floor(i / 10)}|u_${i % USERS}`);
    return out;
  };

  it('answers as MongoDB does: equalities beside it, array fields, other types, ids, lists it does not push down', async () => {
    expect(await ids({ orgId: 'org_1', userId: { $in: ['u_1', 'u_2'] }, member: true })).toEqual([...expected(['u_1', 'u_2']), 'array'].sort());
    expect(await ids({ orgId: 'org_1', userId: { $in: ['1'] } })).toEqual([]);
    expect(await ids({ orgId: 'org_1', userId: { $in: [1, 'u_x'] } })).toEqual(['array', 'number']); // mixed types: left to the handler
    expect(await ids({ _id: { $in: ['ch_0|u_0', 'number', 'nope'] } })).toEqual(['ch_0|u_0', 'number']);
    expect(await ids({ orgId: 'org_1', userId: { $in: [] } })).toEqual([]);
    const many = Array.from({ length: 150 }, (_, i) => `u_${i}`); // longer than what is pushed down
    expect(await ids({ orgId: 'org_1', userId: { $in: many }, member: false })).toEqual(expected(many, false).sort());
  });

  it('is evaluated from the index, without scanning the collection (on the embedded database: by PostgreSQL)', async () => {
    if (!ferret) {
      // MongoDB plans $in on the index by itself.
      const plan = JSON.stringify(await coll.find({ orgId: 'org_1', userId: { $in: ['u_1', 'u_2'] }, member: true }).explain());
      expect(plan).toContain('IXSCAN');
      expect(plan).not.toContain('COLLSCAN');
      return;
    }
    const explained = (await coll.find({ orgId: 'org_1', userId: { $in: ['u_1', 'u_2'] }, member: true }).explain()) as { queryPlanner: { Plan: PlanNode } };
    // In PostgreSQL's condition (an index condition, or a filter on the rows the other indexes found, as its
    // statistics decide): either way the rows that do not match are never sent back to be decoded.
    expect(conditions(explained.queryPlanner.Plan)).toEqual(expect.arrayContaining([expect.stringContaining(`'userId'::text) @> '"u_1"'::jsonb) OR`)]));
    expect(nodes(explained.queryPlanner.Plan).map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const byId = (await coll.find({ _id: { $in: ['ch_0|u_0', 'ch_1|u_10'] } }).explain()) as { queryPlanner: { Plan: PlanNode } };
    expect(conditions(byId.queryPlanner.Plan)).toEqual(expect.arrayContaining([expect.stringContaining(`_jsonb -> '_id'::text) = '"ch_0|u_0"'::jsonb`)]));
    expect(nodes(byId.queryPlanner.Plan).map((n) => n['Node Type'])).not.toContain('Seq Scan');
  });
});

/** A read marker as the notifications service stores it; `userId` also of other shapes, for the semantics. */
interface Row {
  _id: string;
  orgId: string;
  userId?: string | string[] | number;
  member: boolean;
}

interface PlanNode {
  'Node Type': string;
  Filter?: string;
  'Recheck Cond'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
const conditions = (n: PlanNode): string[] => nodes(n).flatMap((x) => [x.Filter, x['Recheck Cond'], x['Index Cond']].filter((c): c is string => c !== undefined));
