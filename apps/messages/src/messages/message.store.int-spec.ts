import { randomUUID } from 'node:crypto';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventName, Events, Topology } from '@wellifiy/contracts';
import { InMemoryPatientKeyStore, KeyHierarchy, KeyRing } from '@wellifiy/crypto';
import { connectAmqp, DocumentLocks, EventPublisher, EventSeal, outboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { MongoModule } from '@wellifiy/persistence';
import { AmqpProbe, CaptureQueue, expectEventually, IntegrationModule, integrationModule, testInfra, uniqueName, uniqueRoutingKey } from '@wellifiy/testing';
import { MessageCipher } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageSchema, SEQ_BUCKET, seqBucket } from './message.schema';
import { BucketBackfillMigration } from '../migrations/bucket-backfill.migration';
import { MessageDraft, MessageMapper, OpenedMessage } from './message.mapper';
import { MessageStore, MongoMessageStore } from './message.store';

describe('MongoMessageStore: the timeline (FerretDB + RabbitMQ)', () => {
  const org = uniqueName('org');
  const routingKey = uniqueRoutingKey();
  let suite: IntegrationModule;
  let repo: MessageStore;
  let connection: IntegrationModule['db'];
  let amqp: AmqpConnectionManager;
  let publisher: EventPublisher;
  let probe: AmqpProbe;
  let published: CaptureQueue;
  // A rotated ring: it1 sealed older data, it2 seals new data.
  const [key1, key2] = [KeyRing.generateKey(), KeyRing.generateKey()];
  const ring = KeyRing.parse(`it1:${key1},it2:${key2}`, 'it2');
  const cipher = new MessageCipher(ring, new KeyHierarchy(ring, new InMemoryPatientKeyStore()));

  beforeAll(async () => {
    amqp = connectAmqp(testInfra.amqpUrl, uniqueName('it-messages-repo'));
    publisher = new EventPublisher(amqp, 'it-messages');
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
    published = await probe.capture(Topology.eventsExchange, 'topic', [routingKey]);
    suite = await integrationModule({
      database: MongoModule,
      models: [{ name: MESSAGE_MODEL, schema: MessageSchema }],
      providers: [
        { provide: DocumentLocks, useValue: new DocumentLocks() },
        { provide: MessageCipher, useValue: cipher },
        {
          provide: OutboxRelay,
          useFactory: () => new OutboxRelay(publisher, 'it-messages', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(ring)),
        },
        MessageMapper,
        { provide: MessageStore, useClass: MongoMessageStore },
      ],
    });
    repo = suite.moduleRef.get(MessageStore);
    connection = suite.db;
  });

  afterAll(async () => {
    await suite?.close();
    await probe?.close();
    await publisher?.close();
    await amqp?.close();
  });

  const newChannelId = () => `ch_${randomUUID().replace(/-/g, '')}`;

  function aMessage(channelId: string, seq: number, overrides: Partial<OpenedMessage> = {}): OpenedMessage {
    return {
      _id: `msg_${randomUUID().replace(/-/g, '')}`,
      orgId: org,
      channelId,
      seq,
      senderId: 'tm_sender',
      senderKind: 'team_member',
      clientMessageId: `cm-${seq}-${randomUUID().slice(0, 8)}`,
      body: `message ${seq}`,
      threadId: null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
      ...overrides,
    };
  }

  function aDraft(channelId: string, overrides: Partial<MessageDraft> = {}): MessageDraft {
    const { seq: _seq, ...draft } = aMessage(channelId, 0, overrides);
    return draft;
  }

  /** Stores a message as it would stand in the database, bypassing the repository (another writer). */
  async function seed(message: OpenedMessage): Promise<void> {
    await connection.collection('messages').insertOne({ ...message, bucket: seqBucket(message.seq), body: await cipher.sealBody(message._id, message.body, null), outbox: [] } as never);
  }

  const sortedSeqs = (views: ({ seq: number } | null)[]): number[] => views.map((v) => v?.seq ?? -1).sort((x, y) => x - y);
  const oneToN = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

  it('append: 50 concurrent sends to a new channel get seqs 1..50 — no duplicates, no gaps', async () => {
    const channelId = newChannelId();
    const views = await Promise.all(Array.from({ length: 50 }, () => repo.append(aDraft(channelId), () => [])));
    expect(sortedSeqs(views)).toEqual(oneToN(50));
    expect(await connection.collection('messages').countDocuments({ channelId })).toBe(50);
  });

  it('append: two replicas (separate repositories and locks) sending at once still share one gap-free sequence', async () => {
    const channelId = newChannelId();
    const otherReplica = new MongoMessageStore(
      connection.model(MESSAGE_MODEL) as never,
      new OutboxRelay(publisher, 'it-messages-2', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }),
      new DocumentLocks(),
      new MessageMapper(cipher),
    );
    const views = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? otherReplica : repo).append(aDraft(channelId), () => [])),
    );
    expect(sortedSeqs(views)).toEqual(oneToN(40));
  });

  it('append continues after messages another writer stored', async () => {
    const channelId = newChannelId();
    expect((await repo.append(aDraft(channelId), () => []))?.seq).toBe(1);
    await seed(aMessage(channelId, 2));
    await seed(aMessage(channelId, 3));
    expect((await repo.append(aDraft(channelId), () => []))?.seq).toBe(4);
  });

  it('append stores the message, relays the events built for it and clears its outbox', async () => {
    const channelId = newChannelId();
    const draft = aDraft(channelId);
    let eventId = '';
    const view = await repo.append(draft, (message) => {
      const e = outboxEntry(routingKey as unknown as EventName, { message } as never, { orgId: org });
      eventId = e.id;
      return [e];
    });
    expect(view).toEqual({
      id: draft._id, channelId, seq: 1, senderId: 'tm_sender', senderKind: 'team_member',
      clientMessageId: draft.clientMessageId, body: draft.body, threadId: null, createdAt: draft.createdAt.toISOString(),
    });
    await expectEventually(() => {
      const event = published.messages.find((m) => (m.body as { id: string }).id === eventId);
      // Sealed in the document, opened by the relay: the event on the wire carries the message as sent.
      expect((event?.body as { data: { message: { seq: number; body: string } } }).data.message).toMatchObject({ seq: 1, body: draft.body });
    });
    // The relay clears the outbox after publishing (the send was answered before either).
    await expectEventually(async () => {
      const raw = await connection.collection('messages').findOne({ _id: draft._id as never });
      expect(raw?.outbox).toEqual([]);
      expect(raw).not.toHaveProperty('outboxAt');
      expect(raw).not.toHaveProperty('outboxPending');
    });
  });

  it('append returns null when the sender reuses a clientMessageId, consumes no seq, and the original stays', async () => {
    const channelId = newChannelId();
    const original = await repo.append(aDraft(channelId, { clientMessageId: 'client-1' }), () => []);
    await expect(repo.append(aDraft(channelId, { clientMessageId: 'client-1', body: 'retried' }), () => [])).resolves.toBeNull();
    expect((await repo.findByClientId(org, channelId, 'tm_sender', 'client-1'))?.id).toBe(original?.id);
    // Another sender may use the same client id, and takes the very next seq.
    const other = await repo.append(aDraft(channelId, { clientMessageId: 'client-1', senderId: 'pat_1', senderKind: 'patient' }), () => []);
    expect(other?.seq).toBe(2);
  });

  it('concurrent retries of one clientMessageId store it once and leave no gap', async () => {
    const channelId = newChannelId();
    const results = await Promise.all(Array.from({ length: 10 }, () => repo.append(aDraft(channelId, { clientMessageId: 'same' }), () => [])));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await repo.append(aDraft(channelId), () => []))?.seq).toBe(2);
  });

  it('encryption at rest: no collection of the database holds a message body in plaintext, not even its waiting outbox event', async () => {
    const channelId = newChannelId();
    const secret = `my-diagnosis-${randomUUID()}`;
    // A replica whose broker is down: its outbox entries stay in the document, as after a crash.
    const brokerDown = { publishEnvelope: () => Promise.reject(new Error('broker down')) } as unknown as EventPublisher;
    const stranded = new MongoMessageStore(
      connection.model(MESSAGE_MODEL) as never,
      new OutboxRelay(brokerDown, 'it-messages-down', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(ring)),
      new DocumentLocks(),
      new MessageMapper(cipher),
    );
    const draft = aDraft(channelId, { body: secret });
    // A real content event type (nothing is published: the broker is down), so its entry rests sealed.
    const view = await stranded.append(draft, (message) => [outboxEntry(Events.MessageCreated, { message }, { orgId: org })]);
    expect(view?.body).toBe(secret);

    const raw = await connection.collection('messages').findOne({ _id: draft._id as never });
    expect(raw?.outbox).toHaveLength(1);
    expect(raw?.body).toMatchObject({ keyId: 'it2', ciphertext: expect.any(String) });

    const db = connection.db;
    if (!db) throw new Error('no database handle');
    const collections = await db.listCollections().toArray();
    expect(collections.map((c) => c.name)).toContain('messages');
    for (const { name } of collections) {
      const docs = await db.collection(name).find({}).toArray();
      expect({ collection: name, plaintextFound: JSON.stringify(docs).includes(secret) }).toEqual({ collection: name, plaintextFound: false });
    }
    // And the repository still reads it back.
    expect((await repo.findByClientId(org, channelId, 'tm_sender', draft.clientMessageId))?.body).toBe(secret);
  });

  it('key rotation: messages sealed with an older key stay readable after a new key becomes active', async () => {
    const channelId = newChannelId();
    const oldRing = KeyRing.parse(`it1:${key1}`, 'it1');
    const old = aMessage(channelId, 1, { body: 'sealed with the old key' });
    await connection.collection('messages').insertOne({ ...old, bucket: seqBucket(old.seq), body: await new MessageCipher(oldRing, new KeyHierarchy(oldRing, new InMemoryPatientKeyStore())).sealBody(old._id, old.body, null), outbox: [] } as never);
    const [page] = await repo.list(org, channelId, { limit: 10 });
    expect(page.body).toBe('sealed with the old key');
  });

  describe('list', () => {
    const channelId = newChannelId();
    const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);

    beforeAll(async () => {
      // Inserted out of order: the order of a page must come from seq, not insertion.
      for (const seq of [3, 1, 10, 2, 7, 5, 4, 9, 6, 8]) await seed(aMessage(channelId, seq));
      await seed(aMessage(channelId, 11, { orgId: uniqueName('other-org') }));
    });

    it('without a cursor returns the newest page, ascending', async () => {
      expect(seqs(await repo.list(org, channelId, { limit: 3 }))).toEqual([8, 9, 10]);
      expect(seqs(await repo.list(org, channelId, { limit: 200 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('after returns the oldest ones above it, ascending', async () => {
      expect(seqs(await repo.list(org, channelId, { after: 2, limit: 3 }))).toEqual([3, 4, 5]);
      expect(seqs(await repo.list(org, channelId, { after: 9, limit: 3 }))).toEqual([10]);
      expect(await repo.list(org, channelId, { after: 10, limit: 3 })).toEqual([]);
    });

    it('before returns the newest ones below it, ascending', async () => {
      expect(seqs(await repo.list(org, channelId, { before: 5, limit: 3 }))).toEqual([2, 3, 4]);
      expect(seqs(await repo.list(org, channelId, { before: 3, limit: 10 }))).toEqual([1, 2]);
    });

    it('after and before together bound the range', async () => {
      expect(seqs(await repo.list(org, channelId, { after: 2, before: 6, limit: 10 }))).toEqual([3, 4, 5]);
    });

    it('only returns messages of the caller’s organisation, without outbox fields', async () => {
      const page = await repo.list(org, channelId, { after: 9, limit: 10 });
      expect(seqs(page)).toEqual([10]);
      expect(Object.keys(page[0]).sort()).toEqual(['body', 'channelId', 'clientMessageId', 'createdAt', 'id', 'senderId', 'senderKind', 'seq', 'threadId']);
      expect(page[0].body).toBe('message 10');
      expect(await repo.list(uniqueName('stranger-org'), channelId, { limit: 10 })).toEqual([]);
    });
  });

  describe('list across timeline buckets', () => {
    const channelId = newChannelId();
    const total = 3 * SEQ_BUCKET + 17; // four buckets, the last one partly filled
    const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
    const range = (from: number, to: number) => oneToN(to - from + 1, from);

    beforeAll(async () => {
      const docs = await Promise.all(oneToN(total).map(async (seq) => {
        const m = aMessage(channelId, seq, seq % 3 === 0 ? { threadId: `msg_root_${seq}` } : {});
        return { ...m, bucket: seqBucket(seq), body: await cipher.sealBody(m._id, m.body, null), outbox: [] };
      }));
      for (let i = 0; i < docs.length; i += 100) await connection.collection('messages').insertMany(docs.slice(i, i + 100) as never[]);
    });

    it('after: pages that cross bucket boundaries, and the partly filled last bucket', async () => {
      expect(seqs(await repo.list(org, channelId, { after: 100, limit: 101 }))).toEqual(range(101, 201));
      expect(seqs(await repo.list(org, channelId, { after: 3 * SEQ_BUCKET - 5, limit: 100 }))).toEqual(range(3 * SEQ_BUCKET - 4, total));
      expect(await repo.list(org, channelId, { after: total, limit: 100 })).toEqual([]);
      expect(seqs(await repo.list(org, channelId, { after: 120, before: 140, limit: 100 }))).toEqual(range(121, 139));
    });

    it('newest page and before, from a process that has not stored in this channel (the top is found by bucket lookups)', async () => {
      expect(seqs(await repo.list(org, channelId, { limit: 100 }))).toEqual(range(total - 99, total));
      expect(seqs(await repo.list(org, channelId, { before: 130, limit: 5 }))).toEqual(range(125, 129));
      expect(seqs(await repo.list(org, channelId, { before: 10_000_000, limit: 3 }))).toEqual(range(total - 2, total));
    });

    it('a newest page and a catch-up that span three buckets (read together) are whole and in order', async () => {
      expect(seqs(await repo.list(org, channelId, { limit: 200 }))).toEqual(range(total - 199, total));
      expect(seqs(await repo.list(org, channelId, { before: 2 * SEQ_BUCKET + 1, limit: 2 * SEQ_BUCKET }))).toEqual(range(1, 2 * SEQ_BUCKET));
      expect(seqs(await repo.list(org, channelId, { after: SEQ_BUCKET - 3, limit: 2 * SEQ_BUCKET }))).toEqual(range(SEQ_BUCKET - 2, 3 * SEQ_BUCKET - 3));
      expect(seqs(await repo.list(org, channelId, { before: 1, limit: 10 }))).toEqual([]);
    });

    it('roots only: replies are skipped and the page still fills from further buckets', async () => {
      const page = await repo.list(org, channelId, { limit: 150, rootsOnly: true });
      expect(page).toHaveLength(150);
      expect(page.every((m) => m.seq % 3 !== 0)).toBe(true);
      expect(page[page.length - 1].seq).toBe(total % 3 === 0 ? total - 1 : total);
      expect(seqs(page)).toEqual([...seqs(page)].sort((a, b) => a - b));
    });

    it('the next send continues after the highest seq found by bucket lookups', async () => {
      const next = await repo.append(aDraft(channelId), () => []);
      expect(next?.seq).toBe(total + 1);
    });
  });

  it('a newest page read after another writer went on (into new buckets) shows its messages; a send then continues after them', async () => {
    const channelId = newChannelId();
    expect(await repo.list(org, channelId, { limit: 5 })).toEqual([]);
    expect(await repo.list(org, channelId, { before: 3, limit: 5 })).toEqual([]);
    for (let seq = 1; seq <= 20; seq++) await seed(aMessage(channelId, seq));
    expect((await repo.list(org, channelId, { limit: 5 })).map((m) => m.seq)).toEqual(oneToN(5, 16));
    // Another replica's sends: past the top this process last read, two buckets further.
    const more = [];
    for (let seq = 21; seq <= 2 * SEQ_BUCKET + 10; seq++) more.push(aMessage(channelId, seq));
    for (const m of more) await seed(m);
    expect((await repo.list(org, channelId, { limit: 5 })).map((m) => m.seq)).toEqual(oneToN(5, 2 * SEQ_BUCKET + 6));
    expect((await repo.append(aDraft(channelId), () => []))?.seq).toBe(2 * SEQ_BUCKET + 11);
  });

  it('messages stored without a bucket get one from the backfill, once, and are listed again', async () => {
    const channelId = newChannelId();
    const legacy = aMessage(channelId, 1, { body: 'stored before buckets' });
    await connection.collection('migrations').deleteOne({ _id: 'messages.bucket' as never });
    await connection.collection('messages').insertOne({ ...legacy, body: await cipher.sealBody(legacy._id, legacy.body, null), outbox: [] } as never);
    expect(await repo.list(org, channelId, { limit: 10 })).toEqual([]);
    // Sends still work before the backfill: the seq conflict is resolved the authoritative way.
    expect((await repo.append(aDraft(channelId), () => []))?.seq).toBe(2);

    const backfill = new BucketBackfillMigration(repo, connection);
    expect(await backfill.run()).toBeGreaterThanOrEqual(1);
    expect((await repo.list(org, channelId, { limit: 10 })).map((m) => m.body)).toEqual(['stored before buckets', expect.any(String)]);
    expect(await backfill.run()).toBe(0);
    expect(await connection.collection('migrations').findOne({ _id: BucketBackfillMigration.id as never })).toMatchObject({ changed: expect.any(Number) });
  });
});
