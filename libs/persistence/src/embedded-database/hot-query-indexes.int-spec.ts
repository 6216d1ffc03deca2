import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';

/**
 * FerretDB v1 pushes equality filters down to PostgreSQL as `_jsonb->$1 @> $2`, which none of its own btree indexes
 * serve. The bring-up (tools/scripts/lib/ferretdb-postgresql-indexes.sql) gives every index a GIN companion and
 * the database plan_cache_mode = force_custom_plan. Here a FerretDB of the build (.tools/bin/ferretdb) over a
 * PostgreSQL database of its own, prepared by that script before any collection exists, holds 100,000 documents
 * per hot collection with the indexes the services declare; each hot query shape, prepared the way FerretDB sends
 * it and run past PostgreSQL's switch to a cached plan, must not scan its table.
 */

const ROOT = path.resolve(__dirname, '../../../..');
const FERRETDB = path.join(ROOT, '.tools/bin/ferretdb');
const SETUP_SQL = path.join(ROOT, 'tools/scripts/lib/ferretdb-postgresql-indexes.sql');
const DOCS = 100_000;
const SCHEMA = 'hot_shapes'; // the MongoDB database, a PostgreSQL schema in FerretDB

/** Runs a script (SQL and psql meta-commands) in one session of the local PostgreSQL; `file` instead of `script`. */
function psql(database: string, script: string, file = '-'): string {
  const args = ['-h', '127.0.0.1', '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAt', '-f', file];
  return execFileSync('psql', args, { encoding: 'utf8', input: script, timeout: 120_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`FerretDB did not open port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A hot query: the collection, the indexes its service declares (the same keys as the schema), a document builder
 * for the 100,000, and the filter FerretDB pushes down, as (field, JSON value) pairs.
 */
interface Shape {
  name: string;
  collection: string;
  indexes: Record<string, 1 | -1>[];
  doc: (i: number) => Record<string, unknown>;
  pushdown: [string, string][];
  /** `_id` equality, which the build sends to the _id index as `_jsonb->'_id' = $1` (ferretdb-id-index.patch). */
  byId?: string;
}

const SHAPES: Shape[] = [
  {
    // apps/messages message.schema.ts; MessageStore.bucket: { channelId, bucket, orgId }
    name: 'message timeline by channelId + bucket',
    collection: 'messages',
    indexes: [{ channelId: 1, seq: 1 }, { channelId: 1, bucket: 1 }, { channelId: 1, senderId: 1, clientMessageId: 1 }, { channelId: 1, threadId: 1, seq: 1 }],
    doc: (i) => ({ orgId: 'org_1', channelId: `ch_${i % 2000}`, seq: Math.floor(i / 2000) + 1, bucket: Math.floor(i / 2000 / 128), senderId: `u_${i % 300}`, clientMessageId: `cm_${i}`, threadId: null, text: 'x'.repeat(80) }),
    pushdown: [['channelId', '"ch_42"'], ['bucket', '0'], ['orgId', '"org_1"']],
  },
  {
    // apps/notifications read-state.schema.ts; ReadStateRepository unread summary: { orgId, userId, member: true }
    name: 'unread / read-state by userId',
    collection: 'read_states',
    indexes: [{ orgId: 1, userId: 1, member: 1 }, { orgId: 1, channelId: 1, member: 1 }],
    // 10,000 channels of 10 members; 5,000 users in 20 channels each
    doc: (i) => {
      const channelId = `ch_${Math.floor(i / 10)}`;
      const userId = `u_${(i % 10) * 500 + (Math.floor(i / 10) % 500)}`;
      return { _id: `${channelId}|${userId}`, orgId: 'org_1', channelId, userId, member: i % 20 !== 0, readSeq: i % 50 };
    },
    pushdown: [['orgId', '"org_1"'], ['userId', '"u_7"'], ['member', 'true']],
  },
  {
    // apps/channels channel.schema.ts; ChannelsRepository "my channels" and membership checks: { orgId, memberIds }
    name: 'membership by userId (channels of a member)',
    collection: 'channels',
    indexes: [{ orgId: 1, memberIds: 1 }, { orgId: 1, uniqueKey: 1 }, { orgId: 1, needsStaffing: 1 }, { outboxPending: 1 }],
    doc: (i) => ({ _id: `ch_${i}`, orgId: 'org_1', uniqueKey: `k_${i}`, memberIds: [`u_${i % 4000}`, `u_${(i * 7) % 4000}`], needsStaffing: i % 100 === 0, ...(i % 1000 === 0 ? { outboxPending: 1, outboxAt: new Date() } : {}) }),
    pushdown: [['orgId', '"org_1"'], ['memberIds', '"u_42"']],
  },
  {
    // read-state.schema.ts; ReadStateRepository receipts and fan-out: { orgId, channelId, member: true }
    name: 'membership by channelId (members of a channel)',
    collection: 'read_states',
    indexes: [],
    doc: () => ({}),
    pushdown: [['orgId', '"org_1"'], ['channelId', '"ch_42"'], ['member', 'true']],
  },
  {
    // libs/messaging outbox.ts (outboxPending: index); OutboxRelay sweep: { outboxPending: 1, outboxAt: { $lte } }
    name: 'outbox sweep by outboxPending',
    collection: 'channels',
    indexes: [],
    doc: () => ({}),
    pushdown: [['outboxPending', '1']],
  },
  {
    // libs/persistence processed-event.store.ts: seen() is { _id: `${consumer}:${eventId}` }
    name: 'processed events by id',
    collection: 'processed_events',
    indexes: [{ at: 1 }],
    doc: (i) => ({ _id: `messages.channel-events:evt_${i}`, at: new Date() }),
    pushdown: [],
    byId: '"messages.channel-events:evt_4242"',
  },
];

/** FerretDB's statement for a shape, prepared and run 6 times (PostgreSQL's point to cache a generic plan), then explained. */
function explainSql(table: string, shape: Shape): string {
  const qualified = `"${SCHEMA}"."${table}"`;
  const params = shape.byId ? ['jsonb'] : shape.pushdown.flatMap(() => ['text', 'jsonb']);
  const where = shape.byId ? `_jsonb->'_id' = $1` : shape.pushdown.map((_, i) => `_jsonb->$${2 * i + 1} @> $${2 * i + 2}`).join(' AND ');
  const args = shape.byId ? [`'${shape.byId}'`] : shape.pushdown.flatMap(([k, v]) => [`'${k}'`, `'${v}'`]);
  const execute = `EXECUTE q(${args.join(', ')})`;
  return [
    `\\o /dev/null`,
    `PREPARE q(${params.join(', ')}) AS SELECT _jsonb FROM ${qualified} WHERE ${where};`,
    ...Array.from({ length: 6 }, () => `${execute};`),
    `\\o`,
    `EXPLAIN (ANALYZE, FORMAT JSON) ${execute};`,
  ].join('\n');
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe('hot queries on the embedded database use an index (GIN companions, force_custom_plan)', () => {
  const database = `wellifiy_it_indexes_${process.pid}_${Date.now() % 100000}`;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wellifiy-it-indexes-'));
  let ferret: ChildProcess | undefined;
  let client: InstanceType<typeof mongoose.mongo.MongoClient>;
  const tables = new Map<string, string>();

  beforeAll(async () => {
    if (!existsSync(FERRETDB)) throw new Error(`${FERRETDB} is missing: build it with \`source tools/scripts/lib/infra.sh && ensure_ferretdb_binary\``);
    try {
      psql('postgres', `create database ${database}`);
    } catch (err) {
      throw new Error(`this test needs psql and a local PostgreSQL on 127.0.0.1:5432 accepting the postgres user: ${(err as Error).message}`);
    }
    psql(database, '', SETUP_SQL);
    const port = await freePort();
    ferret = spawn(FERRETDB, [
      '--handler=postgresql',
      `--postgresql-url=postgres://postgres@127.0.0.1:5432/${database}?pool_max_conns=20`,
      `--state-dir=${stateDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ], { stdio: 'ignore' });
    await waitPort(port, 30_000);
    client = await new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}`).connect();
    const db = client.db(SCHEMA);
    for (const shape of SHAPES.filter((s) => s.indexes.length)) {
      const coll = db.collection(shape.collection);
      for (const keys of shape.indexes) await coll.createIndex(keys); // as the services' schemas do, on an empty collection
      for (let from = 0; from < DOCS; from += 5000) {
        await coll.insertMany(Array.from({ length: 5000 }, (_, k) => shape.doc(from + k)), { ordered: false });
      }
    }
    psql(database, 'analyze');
    for (const line of psql(database, `select _jsonb->>'_id', _jsonb->>'table' from "${SCHEMA}"._ferretdb_database_metadata`).trim().split('\n')) {
      const [collection, table] = line.split('|');
      tables.set(collection, table);
    }
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    ferret?.kill('SIGKILL');
    if (ferret && ferret.exitCode === null) await new Promise((r) => ferret?.once('exit', r));
    psql('postgres', `drop database if exists ${database} with (force)`);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it.each(SHAPES.map((s) => [s.name, s] as const))('%s: no sequential scan at 100,000 documents', async (_name, shape) => {
    const table = tables.get(shape.collection);
    expect(table).toBeDefined();
    const [explained] = JSON.parse(psql(database, explainSql(table as string, shape))) as [{ Plan: PlanNode; 'Execution Time': number }];
    const types = nodes(explained.Plan).map((n) => n['Node Type']);
    // the same query through FerretDB, for docs/performance.md
    const filter = shape.byId ? { _id: JSON.parse(shape.byId) as string } : Object.fromEntries(shape.pushdown.map(([k, v]) => [k, JSON.parse(v) as unknown]));
    const took: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      await client.db(SCHEMA).collection(shape.collection).find(filter).toArray();
      took.push(performance.now() - t);
    }
    const p50 = took.sort((a, b) => a - b)[10];
    const index = nodes(explained.Plan).map((n) => n['Index Name']).filter(Boolean).join(', ');
    process.stdout.write(`${shape.name}: ${types.join(' > ')} on ${index}, ${explained['Execution Time'].toFixed(2)} ms in PostgreSQL, find p50 ${p50.toFixed(1)} ms through FerretDB\n`);
    expect(types).not.toContain('Seq Scan');
    expect(types.some((t) => t.includes('Index'))).toBe(true);
  });

  it('each service index got its GIN companion, and the database plans with parameter values', () => {
    expect(psql(database, 'show plan_cache_mode').trim()).toBe('force_custom_plan');
    const gin = psql(database, `select count(*) from pg_indexes where schemaname = '${SCHEMA}' and indexdef like '% USING gin %'`).trim();
    // one companion per collection and field that a declared index covers
    const fields = new Set(SHAPES.flatMap((s) => s.indexes.flatMap((keys) => Object.keys(keys).map((f) => `${s.collection}.${f}`))));
    expect(Number(gin)).toBe(fields.size);
  });
});
