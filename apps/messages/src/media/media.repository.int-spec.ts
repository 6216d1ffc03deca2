import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { Actor, DomainError, ErrorCode, JobIds, Queues } from '@wellifiy/contracts';
import { KeyHierarchy, KeyRing, PatientKeyStore } from '@wellifiy/crypto';
import { bullConnection, MongoModule } from '@wellifiy/persistence';
import {
  expectEventually, IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, patientActor, sampleIsoMedia, teamMemberActor, testInfra, TINY_PNG, uniqueName,
} from '@wellifiy/testing';
import { MessagesConfig } from '../config/messages.config';
import { MediaCleanupJobProcessor, MediaCleanupScheduler } from '../jobs/media-cleanup.job';
import { MembershipService } from '../membership/membership.service';
import { MongoPatientKeyStore } from '../erasure/patient-key.repository';
import { MediaCipher } from './media-cipher';
import { parseRange } from './media-range';
import { MediaRepository, MongoMediaRepository } from './media.repository';
import { MEDIA_STORE_MODELS } from './media.models';
import { MEDIA_CHUNK_SIZE, MediaService } from './media.service';

/** Encrypted, chunked media storage (GridFS layout) on the real FerretDB. */
describe('media storage (FerretDB)', () => {
  const org = uniqueName('org');
  const uploader = teamMemberActor({ orgId: org, userId: 'tm_up' });
  let suite: IntegrationModule;
  let connection: Connection;
  let service: MediaService;
  let repo: MediaRepository;
  let queue: Queue;

  beforeAll(async () => {
    const config = Object.assign(new MessagesConfig(), { MEDIA_MAX_IMAGE_BYTES: 1024 * 1024, MEDIA_MAX_VIDEO_BYTES: 2 * 1024 * 1024 });
    suite = await integrationModule({
      database: MongoModule,
      dbPrefix: 'it-media',
      models: MEDIA_STORE_MODELS,
      imports: [
        BullModule.forRoot({ connection: bullConnection(testInfra.redisUrl), prefix: uniqueName('it-media-bull') }),
        BullModule.registerQueue({ name: Queues.MediaCleanup }),
      ],
      providers: [
        { provide: MediaRepository, useClass: MongoMediaRepository },
        { provide: KeyRing, useValue: KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID) },
        { provide: PatientKeyStore, useClass: MongoPatientKeyStore },
        { provide: KeyHierarchy, useFactory: (ring: KeyRing, store: PatientKeyStore) => new KeyHierarchy(ring, store), inject: [KeyRing, PatientKeyStore] },
        MediaCipher,
        { provide: MessagesConfig, useValue: config },
        { provide: MembershipService, useValue: { requireMember: () => Promise.reject(new DomainError(ErrorCode.NotFound, 'no')) } },
        MediaService,
        MediaCleanupScheduler,
        MediaCleanupJobProcessor,
      ],
    });
    connection = suite.db;
    service = suite.moduleRef.get(MediaService);
    repo = suite.moduleRef.get(MediaRepository);
    queue = suite.moduleRef.get<Queue>(getQueueToken(Queues.MediaCleanup));
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await suite?.close();
  });

  async function read(ticket: string, range?: string): Promise<Buffer> {
    const content = await service.content(org, ticket, (size) => parseRange(range, size));
    if ('unsatisfiable' in content) throw new Error('unsatisfiable');
    const parts: Buffer[] = [];
    for await (const p of content.body) parts.push(p);
    return Buffer.concat(parts);
  }

  it('round-trips a multi-chunk video and serves ranges from the stored chunks', async () => {
    const video = sampleIsoMedia(MEDIA_CHUNK_SIZE * 3 + 123);
    const { ticket: up } = await service.uploadTicket(uploader);
    const view = await service.upload(org, up, video);
    expect(view).toMatchObject({ kind: 'video', contentType: 'video/mp4', size: video.length, hasThumbnail: false });

    const whole = await service.readTicket(uploader, view.id, 'original');
    expect((await read(whole.ticket)).equals(video)).toBe(true);
    const start = MEDIA_CHUNK_SIZE * 2 - 3;
    expect((await read(whole.ticket, `bytes=${start}-${start + 9}`)).equals(video.subarray(start, start + 10))).toBe(true);
  });

  it('stores every chunk encrypted: the plaintext is found in no collection of the database', async () => {
    const video = sampleIsoMedia(50_000);
    const { ticket } = await service.uploadTicket(uploader);
    const { id } = await service.upload(org, ticket, video);
    const probe = video.subarray(1000, 1048);
    const db = connection.db;
    if (!db) throw new Error('not connected');
    const collections = await db.listCollections().toArray();
    expect(collections.map((c) => c.name)).toEqual(expect.arrayContaining(['media.files', 'media.chunks']));
    for (const { name } of collections) {
      const docs = await db.collection(name).find({}).toArray();
      for (const doc of docs) {
        const bin = (doc as { data?: { buffer?: Uint8Array } }).data?.buffer;
        if (bin) expect(Buffer.from(bin).includes(probe)).toBe(false);
        expect(JSON.stringify(doc).includes(probe.toString('base64'))).toBe(false);
      }
    }
    const chunks = await db.collection('media.chunks').find({ mediaId: id }).toArray();
    expect(chunks.length).toBe(1);
    expect(chunks[0]).toMatchObject({ orgId: org, variant: 'original', n: 0 });
    // Chunks are sealed by the file's content key; that key rests sealed (a team member's upload: the master ring).
    expect(chunks[0].keyId).toBeUndefined();
    const file = await db.collection('media.files').findOne({ _id: id as never });
    expect(file).toMatchObject({ sealedFor: null, key: { keyId: LOCAL_ENCRYPTION_ACTIVE_KEY_ID } });
  });

  it("a patient's upload, and a team member's once posted in a patient's channel, are sealed under the patient key; erasing it makes both unreadable", async () => {
    const patient = patientActor({ orgId: org, userId: uniqueName('pat') });
    const { ticket } = await service.uploadTicket(patient);
    const own = await service.upload(org, ticket, sampleIsoMedia(20_000));
    const staff = await service.upload(org, (await service.uploadTicket(uploader)).ticket, sampleIsoMedia(20_000));
    await service.grantToChannel(org, 'ch_care', [staff.id], patient.userId);
    const db = connection.db;
    if (!db) throw new Error('not connected');
    const files = await db.collection('media.files').find({ _id: { $in: [own.id, staff.id] as never[] } }).toArray();
    expect(files.map((f) => [f.sealedFor, f.key?.v, f.key?.patientId])).toEqual([[patient.userId, 2, patient.userId], [patient.userId, 2, patient.userId]]);
    const read = async (mediaId: string) => {
      await db.collection('media.tickets').insertOne({ _id: `t-${mediaId}` as never, orgId: org, purpose: 'read', userId: patient.userId, mediaId, variant: 'original', expiresAt: new Date(Date.now() + 60_000) });
      const content = await service.content(org, `t-${mediaId}`, () => undefined);
      if ('unsatisfiable' in content) throw new Error('unexpected');
      const parts: Buffer[] = [];
      for await (const part of content.body) parts.push(part);
      return Buffer.concat(parts).length;
    };
    expect(await read(own.id)).toBe(20_000);
    await suite.moduleRef.get(KeyHierarchy).erase({ orgId: org, patientId: patient.userId });
    for (const id of [own.id, staff.id]) {
      await db.collection('media.tickets').deleteOne({ _id: `t-${id}` as never });
      await expect(read(id)).rejects.toMatchObject({ code: ErrorCode.NotFound, message: `media ${id} was erased with its patient: its content can no longer be opened` });
    }
  });

  it('an image gets its thumbnail stored alongside; grants and the read audit are kept per organisation', async () => {
    const { ticket } = await service.uploadTicket(uploader);
    const view = await service.upload(org, ticket, TINY_PNG);
    expect(view).toMatchObject({ kind: 'image', contentType: 'image/png', hasThumbnail: true, width: 1, height: 1 });
    await service.grantToChannel(org, 'ch_a', [view.id]);
    await service.grantToChannel(org, 'ch_a', [view.id]); // twice: still one grant
    expect(await repo.grantedChannels(org, view.id)).toEqual(['ch_a']);
    expect(await repo.grantedChannels('org_other', view.id)).toEqual([]);
    expect(await repo.find('org_other', view.id)).toBeNull();
    const t = await service.readTicket(uploader, view.id, 'thumbnail');
    expect((await read(t.ticket)).subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(await repo.readsOf(org, view.id)).toEqual([expect.objectContaining({ readerId: 'tm_up', variant: 'thumbnail' })]);
  });

  it('an expired ticket opens nothing, and is pruned with the next upload ticket of its organisation only', async () => {
    const expired = { purpose: 'upload' as const, userId: 'tm_up', mediaId: null, variant: null, expiresAt: new Date(Date.now() - 1000) };
    await repo.saveTicket({ _id: 'expired-ticket', orgId: org, ...expired });
    await repo.saveTicket({ _id: 'expired-elsewhere', orgId: 'org_other', ...expired });
    await expect(service.upload(org, 'expired-ticket', TINY_PNG)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const fresh = await service.uploadTicket(uploader);
    const tickets = connection.collection('media.tickets');
    expect(await tickets.countDocuments({ _id: 'expired-ticket' as never })).toBe(0);
    expect(await tickets.countDocuments({ _id: 'expired-elsewhere' as never })).toBe(1);
    expect(await repo.findTicket(org, fresh.ticket, new Date())).toMatchObject({ purpose: 'upload', userId: 'tm_up' });
  });

  /** The same storage and BullMQ queue, with media left unattached for `minutes` before its cleanup job runs. */
  const serviceWithAge = (minutes: number): MediaService =>
    new MediaService(
      repo, suite.moduleRef.get(MediaCipher), suite.moduleRef.get(MembershipService), suite.moduleRef.get(MediaCleanupScheduler),
      Object.assign(new MessagesConfig(), { MEDIA_MAX_IMAGE_BYTES: 1024 * 1024, MEDIA_MAX_VIDEO_BYTES: 2 * 1024 * 1024, MEDIA_UNATTACHED_MAX_AGE_MINUTES: minutes }),
    );
  const uploadWith = async (svc: MediaService, actor: Actor, bytes: Buffer | AsyncIterable<Buffer>): Promise<string> =>
    (await svc.upload(actor.orgId, (await svc.uploadTicket(actor)).ticket, bytes)).id;

  it('item 7: media never posted is deleted by its media-cleanup job after MEDIA_UNATTACHED_MAX_AGE_MINUTES; posted media and avatars stay', async () => {
    const shortLived = serviceWithAge(0.02); // 1.2 s
    const patient = teamMemberActor({ orgId: org, userId: 'pat_owner' });
    const forgotten = await uploadWith(shortLived, uploader, sampleIsoMedia(MEDIA_CHUNK_SIZE + 10));
    const posted = await uploadWith(shortLived, uploader, TINY_PNG);
    const avatar = await uploadWith(shortLived, patient, TINY_PNG);
    await shortLived.requireOwnMedia(uploader, [posted]);
    await shortLived.setAvatar(patient, avatar);
    const jobs = async (): Promise<unknown[]> => (await Promise.all([forgotten, posted, avatar].map((id) => queue.getJob(JobIds.mediaCleanup(org, id))))).filter(Boolean);
    expect(await jobs()).toHaveLength(3); // one per upload, by explicit id

    await expectEventually(async () => {
      expect(await repo.find(org, forgotten)).toBeNull();
      expect(await connection.collection('media.chunks').countDocuments({ mediaId: forgotten })).toBe(0);
    }, { timeoutMs: 15_000 });
    // The jobs of the kept media ran too (completed jobs are removed), failed none, and deleted nothing.
    await expectEventually(async () => expect(await jobs()).toHaveLength(0), { timeoutMs: 15_000 });
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
    expect(await repo.find(org, posted)).not.toBeNull();
    expect(await repo.find(org, avatar)).not.toBeNull();
  });

  it('item 7: an upload streamed in pieces is written chunk by chunk; one refused midway leaves nothing behind', async () => {
    const video = sampleIsoMedia(MEDIA_CHUNK_SIZE * 2 + 5);
    async function* pieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    const id = await uploadWith(service, uploader, pieces(video, 65_536));
    expect(await connection.collection('media.chunks').countDocuments({ mediaId: id })).toBe(3);
    const { ticket } = await service.readTicket(uploader, id, 'original');
    expect((await read(ticket)).equals(video)).toBe(true);

    const before = await connection.collection('media.chunks').countDocuments({});
    const tooBig = sampleIsoMedia(2 * 1024 * 1024 + 1);
    await expect(uploadWith(service, uploader, pieces(tooBig, 65_536))).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    expect(await connection.collection('media.chunks').countDocuments({})).toBe(before);
    expect(await connection.collection('media.files').countDocuments({ pending: true })).toBe(0);
  });

  it('item 7: the quota counts what a user has stored', async () => {
    const quotaUser = teamMemberActor({ orgId: org, userId: 'tm_quota' });
    expect(await repo.storedBytes(org, quotaUser.userId)).toBe(0);
    await uploadWith(service, quotaUser, sampleIsoMedia(4000));
    await uploadWith(service, quotaUser, sampleIsoMedia(6000));
    expect(await repo.storedBytes(org, quotaUser.userId)).toBe(10_000);
    expect(await repo.storedBytes('org_other', quotaUser.userId)).toBe(0);
  });
});
