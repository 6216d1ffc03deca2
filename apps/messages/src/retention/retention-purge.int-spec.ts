import { randomUUID } from 'node:crypto';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { JobIds, Queues } from '@wellifiy/contracts';
import { KeyHierarchy, KeyRing, PatientKeyStore } from '@wellifiy/crypto';
import { DocumentLocks, OutboxRelay } from '@wellifiy/messaging';
import { bullConnection, MongoModule } from '@wellifiy/persistence';
import { expectEventually, IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, testInfra, uniqueName } from '@wellifiy/testing';
import { MessagesConfig } from '../config/messages.config';
import { MESSAGE_VERSION_MODEL, MessageVersionSchema } from '../edits/message-history.schema';
import { MessageCipher } from '../encryption/message-cipher';
import { MongoPatientKeyStore } from '../erasure/patient-key.repository';
import { RetentionPurgeJobProcessor, RetentionPurgeScheduler } from '../jobs/retention-purge.job';
import { MediaRepository, MongoMediaRepository } from '../media/media.repository';
import { MEDIA_STORE_MODELS } from '../media/media.models';
import { MembershipRepository, MongoMembershipRepository } from '../membership/membership.repository';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema } from '../membership/membership.schema';
import { MESSAGE_MODEL, MessageSchema } from '../messages/message.schema';
import { MessageMapper } from '../messages/message.mapper';
import { MessageStore, MongoMessageStore } from '../messages/message.store';
import { LegalHolds } from './legal-holds';
import { MongoPurgeRepository, PurgeRepository } from './purge.repository';
import { RetentionPurgeService } from './retention-purge.service';
import { MongoRetentionRepository, RetentionRepository } from './retention.repository';
import { COMPLIANCE_LOG_MODEL, ComplianceLogSchema, LEGAL_HOLD_MODEL, LegalHoldSchema, RETENTION_SETTINGS_MODEL, RetentionSettingsSchema } from './retention.schema';

const DAY_MS = 1000; // a retention "day" of one second (RETENTION_DAY_MS, accepted in tests only)
const id = (p: string): string => `${p}_${randomUUID().replace(/-/g, '')}`;

/** The retention sweep against FerretDB and Redis (BullMQ), with a one-second day and legal holds. */
describe('retention purge job (FerretDB + Redis)', () => {
  const config = { RETENTION_DAY_MS: DAY_MS, RETENTION_SWEEP_MS: 300, RETENTION_BATCH_SIZE: 2, RETENTION_MAX_BATCHES: 1 } as MessagesConfig;
  let suite: IntegrationModule;
  let connection: Connection;
  let messages: MessageStore;
  let retention: RetentionRepository;
  let membership: MembershipRepository;
  let sweeper: RetentionPurgeService;
  let purge: PurgeRepository;

  beforeAll(async () => {
    const ring = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
    const relay = { register: () => undefined, toStored: () => [], dispatch: async () => undefined, dispatchSoon: () => undefined };
    suite = await integrationModule({
      database: MongoModule,
      dbPrefix: 'it-retention',
      models: [
        { name: MESSAGE_MODEL, schema: MessageSchema },
        { name: MESSAGE_VERSION_MODEL, schema: MessageVersionSchema },
        { name: CHANNEL_PROJECTION_MODEL, schema: ChannelProjectionSchema },
        ...MEDIA_STORE_MODELS,
        { name: RETENTION_SETTINGS_MODEL, schema: RetentionSettingsSchema },
        { name: LEGAL_HOLD_MODEL, schema: LegalHoldSchema },
        { name: COMPLIANCE_LOG_MODEL, schema: ComplianceLogSchema },
      ],
      imports: [
        BullModule.forRoot({ connection: bullConnection(testInfra.redisUrl), prefix: uniqueName('it-retention') }),
        BullModule.registerQueue({ name: Queues.RetentionPurge }),
      ],
      providers: [
        { provide: MessagesConfig, useValue: config },
        { provide: KeyRing, useValue: ring },
        { provide: DocumentLocks, useValue: new DocumentLocks() },
        { provide: OutboxRelay, useValue: relay as unknown as OutboxRelay },
        { provide: PatientKeyStore, useClass: MongoPatientKeyStore },
        { provide: KeyHierarchy, useFactory: (store: PatientKeyStore) => new KeyHierarchy(ring, store), inject: [PatientKeyStore] },
        MessageCipher,
        MessageMapper,
        { provide: MessageStore, useClass: MongoMessageStore },
        { provide: MembershipRepository, useClass: MongoMembershipRepository },
        { provide: MediaRepository, useClass: MongoMediaRepository },
        { provide: RetentionRepository, useClass: MongoRetentionRepository },
        { provide: PurgeRepository, useClass: MongoPurgeRepository },
        LegalHolds,
        RetentionPurgeService,
        RetentionPurgeScheduler,
        RetentionPurgeJobProcessor,
      ],
      // Not init(): the scheduler is started by the job test itself, after the direct sweeps.
      init: false,
    });
    connection = suite.db;
    messages = suite.moduleRef.get(MessageStore);
    retention = suite.moduleRef.get(RetentionRepository);
    membership = suite.moduleRef.get(MembershipRepository);
    sweeper = suite.moduleRef.get(RetentionPurgeService);
    purge = suite.moduleRef.get(PurgeRepository);
  });

  afterAll(async () => {
    await suite?.moduleRef.get<Queue>(getQueueToken(Queues.RetentionPurge)).obliterate({ force: true }).catch(() => undefined);
    await suite?.close();
  });

  async function channel(orgId: string, patientId: string | null = null): Promise<string> {
    const channelId = id('ch');
    await membership.apply(orgId, { id: channelId, type: patientId ? 'care_team' : 'staff', patientId, members: [{ userId: 'tm_1', kind: 'team_member' }], needsStaffing: false, version: 1 });
    return channelId;
  }

  /** A message `ageDays` retention days old, with an edit in its history and, optionally, an image. */
  async function message(orgId: string, channelId: string, ageDays: number, opts: { media?: boolean; sealedFor?: string } = {}): Promise<string> {
    const mediaId = opts.media ? id('med') : null;
    if (mediaId) {
      await connection.collection('media.files').insertOne({ _id: mediaId as never, orgId, uploaderId: 'tm_1', kind: 'image', chunkSize: 4, original: { contentType: 'image/png', size: 4, chunks: 1 }, thumbnail: null, createdAt: new Date(), attached: true });
      await connection.collection('media.chunks').insertOne({ _id: `${mediaId}:original:0` as never, orgId, mediaId, variant: 'original', n: 0, keyId: 'k', iv: 'i', tag: 't', wrappedKey: 'w', data: Buffer.from('png!') });
    }
    const view = await messages.append(
      {
        _id: id('msg'), orgId, channelId, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: randomUUID(), body: `note ${randomUUID()}`,
        threadId: null, createdAt: new Date(Date.now() - ageDays * DAY_MS), sealedFor: opts.sealedFor ?? null, ...(mediaId ? { attachments: [mediaId] } : {}),
      },
      () => [],
    );
    if (!view) throw new Error('not stored');
    await connection.collection('message_versions').insertOne({ _id: `${view.id}:0` as never, orgId, channelId, messageId: view.id, version: 0, change: 'edit', previousBody: { sealed: 'x' }, actorId: 'tm_1', as: 'author', reason: null, at: new Date() });
    return view.id;
  }

  const raw = (messageId: string) => connection.collection('messages').findOne({ _id: messageId as never });
  const purgedEntries = async (orgId: string) => (await connection.collection('compliance_log').find({ orgId, action: 'retention.purged' }).toArray()).map((e) => e.messageId as string).sort();

  it('bounded batches, resumable after a crash mid-purge, and idempotent', async () => {
    const orgId = uniqueName('org');
    const ch = await channel(orgId);
    const old = await Promise.all([1, 2, 3, 4, 5].map(() => message(orgId, ch, 40)));
    await retention.setPeriods({ orgId, messageContentDays: 30, mediaDays: null, updatedAt: new Date(), updatedBy: 'tm_officer' });

    // A sweep that died after its compliance entry and the history, before the message was marked: the next run finishes it.
    const [crashed] = await purge.contentDue({ orgId, before: new Date(), excludedChannels: [], limit: 1 });
    await retention.log({ orgId, action: 'retention.purged', actorId: 'system:retention', channelId: ch, messageId: crashed.id, at: new Date() }, `retention.purged:${crashed.id}`);
    await connection.collection('message_versions').deleteMany({ messageId: crashed.id });

    // One batch of two per run (RETENTION_BATCH_SIZE=2, RETENTION_MAX_BATCHES=1): three runs for five messages.
    const runs = [await sweeper.sweep(), await sweeper.sweep()];
    expect(runs.map((r) => [r.purged, r.unfinished.includes(orgId)])).toEqual([[2, true], [2, true]]);
    const last = await sweeper.sweep();
    expect([last.purged, last.unfinished.includes(orgId)]).toEqual([1, false]);
    // Again: nothing left to do, nothing recorded twice.
    expect((await sweeper.sweep()).purged).toBe(0);
    expect(await purgedEntries(orgId)).toEqual([...old].sort());
    for (const m of old) expect(await raw(m)).toMatchObject({ body: null, deleted: true, deletedBy: 'retention', purgedAt: expect.any(Date) });
    expect(await connection.collection('message_versions').countDocuments({ messageId: { $in: old } })).toBe(0);
  });

  it('the repeatable job purges past the cutoff — bodies, history, media, previews — and skips channel holds and patient holds', async () => {
    Object.assign(config, { RETENTION_BATCH_SIZE: 50, RETENTION_MAX_BATCHES: 50 });
    const orgId = uniqueName('org');
    const free = await channel(orgId);
    const channelHeld = await channel(orgId);
    const patientHeld = await channel(orgId, 'pt_held');
    const otherPatient = await channel(orgId, 'pt_free');
    await retention.setPeriods({ orgId, messageContentDays: 30, mediaDays: 10, updatedAt: new Date(), updatedBy: 'tm_officer' });
    await retention.placeHold({ orgId, channelId: channelHeld, patientId: null, reason: 'litigation', placedBy: 'tm_officer', placedAt: new Date() });
    await retention.placeHold({ orgId, patientId: 'pt_held', channelId: null, reason: 'investigation', placedBy: 'tm_officer', placedAt: new Date() });

    const due = [await message(orgId, free, 60, { media: true }), await message(orgId, otherPatient, 45, { sealedFor: 'pt_free' })];
    const mediaOnly = await message(orgId, free, 20, { media: true });
    const recent = await message(orgId, free, 0);
    const held = [await message(orgId, channelHeld, 60, { media: true }), await message(orgId, patientHeld, 60, { sealedFor: 'pt_held' })];
    await connection.collection('messages').updateOne({ _id: due[0] as never }, { $set: { linkPreview: { sealed: 'preview' } } });
    const dueMedia = ((await raw(due[0]))?.attachments as string[])[0];
    const keptMedia = ((await raw(mediaOnly))?.attachments as string[])[0];
    const heldMedia = ((await raw(held[0]))?.attachments as string[])[0];

    await suite.moduleRef.get(RetentionPurgeScheduler).onApplicationBootstrap();
    await suite.moduleRef.init(); // starts the worker
    await expectEventually(async () => expect(await purgedEntries(orgId)).toEqual([...due].sort()), { timeoutMs: 15_000 });
    await expectEventually(async () => expect((await raw(mediaOnly))?.mediaPurgedAt).toEqual(expect.any(Date)), { timeoutMs: 15_000 });

    for (const m of due) {
      expect(await raw(m)).toMatchObject({ body: null, linkPreview: null, deleted: true, deletedBy: 'retention' });
      expect((await raw(m))?.attachments).toBeUndefined();
    }
    expect(await connection.collection('media.files').countDocuments({ _id: { $in: [dueMedia, keptMedia] as never[] } })).toBe(0);
    expect(await connection.collection('media.chunks').countDocuments({ mediaId: { $in: [dueMedia, keptMedia] } })).toBe(0);
    expect(await connection.collection('message_versions').countDocuments({ messageId: { $in: due } })).toBe(0);

    // Media past mediaDays goes, its message's body stays; recent and held content is untouched.
    const mediaOnlyView = (await messages.list(orgId, free, { limit: 10 })).find((m) => m.id === mediaOnly);
    expect(mediaOnlyView).toMatchObject({ body: expect.stringMatching(/^note /) });
    expect(mediaOnlyView?.deleted).toBeUndefined();
    for (const m of [recent, ...held]) expect(await raw(m)).toMatchObject({ body: expect.objectContaining({ ciphertext: expect.any(String) }) });
    for (const m of held) expect((await raw(m))?.purgedAt).toBeUndefined();
    expect(await connection.collection('media.files').countDocuments({ _id: heldMedia as never })).toBe(1);
    expect(await connection.collection('message_versions').countDocuments({ messageId: { $in: held } })).toBe(2);

    // Tombstones as clients see them: no body, no media, no preview.
    const timeline = await messages.list(orgId, free, { limit: 10 });
    expect(timeline.find((m) => m.id === due[0])).toMatchObject({ body: '', deleted: true, deletedBy: 'retention' });
    expect(timeline.find((m) => m.id === due[0])?.attachments).toBeUndefined();

    // Released holds no longer protect: the next run takes the held content.
    for (const h of await retention.activeHolds(orgId)) await retention.releaseHold(orgId, h.id, 'tm_officer', new Date());
    await expectEventually(async () => expect(await purgedEntries(orgId)).toEqual([...due, ...held].sort()), { timeoutMs: 15_000 });
    await suite.moduleRef.get<Queue>(getQueueToken(Queues.RetentionPurge)).removeJobScheduler(JobIds.retentionScheduler);
  });
});
