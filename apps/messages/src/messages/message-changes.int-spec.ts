import { randomUUID } from 'node:crypto';
import { InMemoryPatientKeyStore, KeyHierarchy, KeyRing } from '@wellifiy/crypto';
import { DocumentLocks, EventPublisher, EventSeal, OutboxRelay } from '@wellifiy/messaging';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, managerActor, patientActor, teamMemberActor, uniqueName } from '@wellifiy/testing';
import { AuditRepository, MongoAuditRepository } from '../audit/audit.repository';
import { MESSAGE_AUDIT_MODEL, MessageAuditSchema, READ_ACCESS_MODEL, ReadAccessSchema } from '../audit/audit.schema';
import { EditsService } from '../edits/edits.service';
import { MessageHistoryRepository, MongoMessageHistoryRepository } from '../edits/message-history.repository';
import { MESSAGE_VERSION_MODEL, MessageVersionSchema } from '../edits/message-history.schema';
import { MessageCipher } from '../encryption/message-cipher';
import { MembershipService } from '../membership/membership.service';
import { ReactionsService } from '../reactions/reactions.service';
import { ThreadsService } from '../threads/threads.service';
import { MESSAGE_MODEL, MessageSchema } from './message.schema';
import { MessageChanges } from './message-changes';
import { MessageEvents } from './message-events';
import { MessageMapper } from './message.mapper';
import { MessageStore, MongoMessageStore } from './message.store';
import { FakeMembership } from './message.store.fakes';

/** Reactions, threads, edits and deletes against the real FerretDB: nothing lost under concurrency, nothing in plaintext. */
describe('message changes on FerretDB', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  let moduleRef: IntegrationModule['moduleRef'];
  let connection: IntegrationModule['db'];
  let threads: ThreadsService;
  let reactions: ReactionsService;
  let edits: EditsService;
  let audit: AuditRepository;
  const membership = new FakeMembership();
  const ring = KeyRing.parse(`it1:${KeyRing.generateKey()}`, 'it1');
  // Events are not the subject here: a publisher that accepts everything.
  const published: { id: string; type: string; data?: unknown; sealed?: unknown }[] = [];
  // While `createdGate` is set, message.created waits for it on its way to the broker (a slow publish).
  let createdGate: Promise<void> | null = null;
  const publisher = {
    publishEnvelope: async (e: { id: string; type: string }) => {
      if (e.type === 'message.created' && createdGate) await createdGate;
      published.push(e);
    },
  } as unknown as EventPublisher;

  const tm = teamMemberActor({ userId: 'tm_1', orgId: org });
  const manager = managerActor({ userId: 'tm_manager', orgId: org });
  const patient = patientActor({ userId: 'pat_1', orgId: org });

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [
        { name: MESSAGE_MODEL, schema: MessageSchema },
        { name: MESSAGE_VERSION_MODEL, schema: MessageVersionSchema },
        { name: MESSAGE_AUDIT_MODEL, schema: MessageAuditSchema },
        { name: READ_ACCESS_MODEL, schema: ReadAccessSchema },
      ],
      providers: [
        { provide: DocumentLocks, useValue: new DocumentLocks() },
        { provide: MessageCipher, useValue: new MessageCipher(ring, new KeyHierarchy(ring, new InMemoryPatientKeyStore())) },
        {
          provide: OutboxRelay,
          useFactory: () => new OutboxRelay(publisher, 'it-messages', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(ring)),
        },
        MessageMapper,
        { provide: MessageStore, useClass: MongoMessageStore },
        MessageChanges,
        { provide: MessageHistoryRepository, useClass: MongoMessageHistoryRepository },
        { provide: AuditRepository, useClass: MongoAuditRepository },
        { provide: MembershipService, useValue: membership },
        ThreadsService,
        ReactionsService,
        EditsService,
      ],
    });
    moduleRef = suite.moduleRef;
    connection = suite.db;
    threads = moduleRef.get(ThreadsService);
    reactions = moduleRef.get(ReactionsService);
    edits = moduleRef.get(EditsService);
    audit = moduleRef.get(AuditRepository);
  });

  afterAll(async () => {
    await suite?.close();
  });

  async function newChannelWithRoot(members: string[]): Promise<{ channelId: string; rootId: string }> {
    const channelId = `ch_${randomUUID().replace(/-/g, '')}`;
    membership.members.set(channelId, new Set(members));
    const repo = moduleRef.get(MessageStore);
    const root = await repo.append(
      { _id: `msg_${randomUUID().replace(/-/g, '')}`, orgId: org, channelId, senderId: 'pat_1', senderKind: 'patient', clientMessageId: 'root', body: 'root message', threadId: null, createdAt: new Date() },
      () => [],
    );
    if (!root) throw new Error('root not stored');
    return { channelId, rootId: root.id };
  }

  it('40 concurrent reactions on one message by different users: none is lost', async () => {
    const users = Array.from({ length: 40 }, (_, i) => teamMemberActor({ userId: `tm_r${i}`, orgId: org }));
    const { channelId, rootId } = await newChannelWithRoot(users.map((u) => u.userId));
    await Promise.all(users.map((actor, i) => reactions.react({ actor, channelId, messageId: rootId, emoji: i % 2 ? 'like' : '🎉', on: true })));
    const raw = await connection.collection('messages').findOne({ _id: rootId as never });
    const stored = (raw?.reactions ?? []) as { emoji: string; userIds: string[] }[];
    expect(stored.map((r) => [r.emoji, r.userIds.length]).sort()).toEqual([['like', 20], ['🎉', 20]]);
    expect(new Set(stored.flatMap((r) => r.userIds)).size).toBe(40);
  });

  it('concurrent PUT and DELETE of the same reactions end exactly where the last one per user leaves them', async () => {
    const users = Array.from({ length: 20 }, (_, i) => teamMemberActor({ userId: `tm_x${i}`, orgId: org }));
    const { channelId, rootId } = await newChannelWithRoot(users.map((u) => u.userId));
    await Promise.all(users.map((actor) => reactions.react({ actor, channelId, messageId: rootId, emoji: 'like', on: true })));
    await Promise.all(users.map((actor, i) => reactions.react({ actor, channelId, messageId: rootId, emoji: 'like', on: i < 5 })));
    const raw = await connection.collection('messages').findOne({ _id: rootId as never });
    expect(((raw?.reactions ?? []) as { userIds: string[] }[])[0].userIds.sort()).toEqual(users.slice(0, 5).map((u) => u.userId).sort());
  });

  it('30 concurrent replies to one root: every reply gets its own seq and replyCount is exact', async () => {
    const { channelId, rootId } = await newChannelWithRoot(['tm_1', 'pat_1']);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => threads.reply({ actor: i % 2 ? tm : patient, channelId, messageId: rootId, clientMessageId: `r-${i}`, body: `reply ${i}` })),
    );
    expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    const root = await connection.collection('messages').findOne({ _id: rootId as never });
    expect(root?.replyCount).toBe(30);
    const page = await threads.listReplies({ actor: tm, channelId, messageId: rootId, limit: 200 });
    expect(page.messages).toHaveLength(30);
    expect(root?.lastReplyAt).toEqual(new Date(page.messages[29].createdAt));
  });

  it('edits keep versions, deletes keep the content, and no collection holds any of it in plaintext', async () => {
    const { channelId } = await newChannelWithRoot(['tm_1', 'tm_manager', 'pat_1']);
    const secret = `blood-pressure-${randomUUID()}`;
    const reasonSecret = `reason-${randomUUID()}`;
    const sent = await threads.reply({ actor: patient, channelId, messageId: (await newRootIn(channelId)).id, clientMessageId: 'p1', body: `first ${secret}` });
    await edits.edit({ actor: patient, channelId, messageId: sent.message.id, body: `second ${secret}` });
    await edits.edit({ actor: manager, channelId, messageId: sent.message.id, body: 'third', reason: `staff ${reasonSecret}` });
    const tombstone = await edits.delete({ actor: manager, channelId, messageId: sent.message.id, reason: `removed ${reasonSecret}` });
    expect(tombstone).toMatchObject({ body: '', deleted: true, deletedBy: 'staff', editedBy: 'staff' });

    const history = await moduleRef.get(MessageHistoryRepository).list(org, sent.message.id);
    expect(history.map((v) => [v.change, v.previousBody, v.as])).toEqual([
      ['edit', `first ${secret}`, 'author'],
      ['edit', `second ${secret}`, 'staff'],
      ['delete', 'third', 'staff'],
    ]);
    await threads.listReplies({ actor: tm, channelId, messageId: sent.message.threadId ?? '', limit: 10 });

    const db = connection.db;
    if (!db) throw new Error('no database handle');
    const names = (await db.listCollections().toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['messages', 'message_versions', 'message_audit', 'read_access_log']));
    for (const name of names) {
      const text = JSON.stringify(await db.collection(name).find({}).toArray());
      expect({ name, secret: text.includes(secret), reason: text.includes(reasonSecret) }).toEqual({ name, secret: false, reason: false });
    }
    const changes = await db.collection('message_audit').find({ messageId: sent.message.id }).toArray();
    expect(changes.map((c) => [c.action, c.actorId, c.as])).toEqual([
      ['message.edited', 'pat_1', 'author'],
      ['message.edited', 'tm_manager', 'staff'],
      ['message.deleted', 'tm_manager', 'staff'],
    ]);
  });

  it('an edit keeps the link preview in the message it returns and announces (stored encrypted, untouched by the change)', async () => {
    const { channelId, rootId } = await newChannelWithRoot(['pat_1']);
    const cipher = moduleRef.get(MessageCipher);
    const preview = { url: 'https://example.org/a', title: 'Example' };
    await connection.collection('messages').updateOne({ _id: rootId as never }, { $set: { linkPreview: await cipher.sealLinkPreview(rootId, preview, null) } });
    const edited = await edits.edit({ actor: patient, channelId, messageId: rootId, body: 'root message, edited' });
    expect(edited).toMatchObject({ body: 'root message, edited', linkPreview: preview });
    const raw = await connection.collection('messages').findOne({ _id: rootId as never });
    expect(raw?.linkPreview).toMatchObject({ keyId: 'it1' });
  });

  it('durable audit: each read access row is in the database when recordRead returns — who read which channel, when, which seqs, ids only', async () => {
    const { channelId, rootId } = await newChannelWithRoot(['tm_1']);
    await audit.recordRead({ orgId: org, channelId, userId: 'tm_1', userKind: 'team_member', what: 'thread', messageId: rootId, count: 3, fromSeq: 2, toSeq: 4, at: new Date() });
    await audit.recordRead({ orgId: org, channelId, userId: 'tm_1', userKind: 'team_member', what: 'timeline', count: 0, at: new Date() });
    // No waiting: what a crash right now would leave is exactly what is already stored.
    const rows = await connection.collection('read_access_log').find({ channelId }).sort({ at: 1 }).toArray();
    expect(rows.map((r) => [r.userId, r.what, r.count, r.fromSeq ?? null, r.toSeq ?? null])).toEqual([
      ['tm_1', 'thread', 3, 2, 4],
      ['tm_1', 'timeline', 0, null, null],
    ]);
    // Each row's audit.recorded event is relayed under the row's id (the trail's entry id), sealed, then cleared.
    await moduleRef.get(OutboxRelay).drain();
    const relayed = published.filter((e) => rows.some((r) => String(r._id) === e.id));
    expect(relayed.map((e) => [e.type, e.data, typeof e.sealed])).toEqual([['audit.recorded', undefined, 'object'], ['audit.recorded', undefined, 'object']]);
    const after = await connection.collection('read_access_log').find({ channelId }).toArray();
    expect(after.map((r) => r.outbox)).toEqual([[], []]);
  });

  it('durable audit: a change recorded twice under its id (a retried delete) is one row and one event', async () => {
    const { channelId, rootId } = await newChannelWithRoot(['tm_1']);
    const change = {
      id: `deleted:${rootId}`, orgId: org, channelId, messageId: rootId, seq: 1, action: 'message.deleted' as const, actorId: 'tm_1', actorKind: 'team_member',
      as: 'author' as const, reason: 'duplicate', at: new Date(),
    };
    await audit.recordChange(change);
    await audit.recordChange(change);
    await moduleRef.get(OutboxRelay).drain();
    expect(await connection.collection('message_audit').countDocuments({ _id: `deleted:${rootId}` as never })).toBe(1);
    expect(published.filter((e) => e.id === `deleted:${rootId}`)).toHaveLength(1);
  });

  it('one order per channel: an edit made while its message.created is still on its way is published after it', async () => {
    const { channelId } = await newChannelWithRoot(['pat_1']);
    await moduleRef.get(OutboxRelay).drain();
    let release!: () => void;
    createdGate = new Promise<void>((resolve) => (release = resolve));
    try {
      const from = published.length;
      const sent = await moduleRef.get(MessageStore).append(
        { _id: `msg_${randomUUID().replace(/-/g, '')}`, orgId: org, channelId, senderId: 'pat_1', senderKind: 'patient', clientMessageId: 'ordered', body: 'first words', threadId: null, createdAt: new Date() },
        (message) => [MessageEvents.created(message, { orgId: org })],
      );
      if (!sent) throw new Error('not stored');
      await reactions.react({ actor: patient, channelId, messageId: sent.id, emoji: 'like', on: true });
      await edits.edit({ actor: patient, channelId, messageId: sent.id, body: 'second words' });
      release();
      await moduleRef.get(OutboxRelay).drain();
      // (The edit's audit row relays its own copy of audit.recorded, in an order of its own: left out.)
      expect(published.slice(from).map((e) => e.type).filter((t) => t !== 'audit.recorded')).toEqual(['message.created', 'reaction.updated', 'message.updated']);
    } finally {
      createdGate = null;
      release();
    }
  });

  async function newRootIn(channelId: string): Promise<{ id: string }> {
    const repo = moduleRef.get(MessageStore);
    const view = await repo.append(
      { _id: `msg_${randomUUID().replace(/-/g, '')}`, orgId: org, channelId, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: `root-${randomUUID()}`, body: 'another root', threadId: null, createdAt: new Date() },
      () => [],
    );
    if (!view) throw new Error('root not stored');
    return view;
  }
});
