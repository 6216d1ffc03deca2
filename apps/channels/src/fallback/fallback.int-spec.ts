import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, TestingModule } from '@nestjs/testing';
import { QueueEvents, type Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { ChannelType, Queues, UserKind } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { createIsolatedVhost, deleteVhost, expectEventually, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, testInfra, uniqueName } from '@wellifiy/testing';
import { AppModule } from '../app.module';
import { Channel } from '../channels/channel.mapper';
import { ChannelsConfig } from '../config/channels.config';
import { ArchivedMemberFallbackScheduler } from '../jobs/archived-member-fallback.job';

/**
 * DESIGN §2 rule 5 at scale, through the real channels module: a team member in 2,000 channels is
 * archived; the BullMQ job (real Redis) releases them in batches against the real database and relays
 * every change through the real broker (its own virtual host).
 */
describe('archived team member fallback: 2,000 channels (FerretDB, RabbitMQ, Redis)', () => {
  const orgId = uniqueName('org');
  const archived = 'tm_leaving';
  const clinician = 'tm_clinician';
  const colleague = 'tm_colleague';
  const counts = { careWithClinician: 800, serviceWithColleague: 400, staffAlone: 400, groupAlone: 200, dm: 200 };
  let moduleRef: TestingModule;
  let db: Connection;
  let queue: Queue;
  let queueEvents: QueueEvents;
  let vhost: string | null = null;
  const prefix = uniqueName('it-bull');

  beforeAll(async () => {
    const broker = createIsolatedVhost(testInfra.amqpUrl);
    vhost = broker.vhost;
    const config = Object.assign(new ChannelsConfig(), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AMQP_URL: broker.url,
      HTTP_PORT: 0,
      MONGO_URL: testInfra.mongoUrl,
      MONGO_DB: uniqueName('it-fallback'),
      REDIS_URL: testInfra.redisUrl,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEYS: LOCAL_ENCRYPTION_KEYS,
      ENCRYPTION_ACTIVE_KEY_ID: LOCAL_ENCRYPTION_ACTIVE_KEY_ID,
    });
    moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
    moduleRef.useLogger(['error']);
    await moduleRef.init();
    db = moduleRef.get<Connection>(getConnectionToken());
    queue = moduleRef.get<Queue>(getQueueToken(Queues.ArchivedMemberFallback));
    queueEvents = new QueueEvents(Queues.ArchivedMemberFallback, { connection: bullConnection(testInfra.redisUrl), prefix });
    await queueEvents.waitUntilReady();
    await seed();
  }, 120_000);

  afterAll(async () => {
    await queueEvents?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await db?.dropDatabase().catch(() => undefined);
    await moduleRef?.close();
    if (vhost) deleteVhost(vhost);
  });

  const T0 = new Date('2026-01-01T00:00:00Z');
  function channel(type: ChannelType, members: [string, UserKind][], patientId: string | null): Channel & { outbox: never[] } {
    const id = `ch_${randomUUID().replace(/-/g, '')}`;
    return {
      _id: id,
      orgId,
      type,
      patientId,
      name: type === 'group' ? 'Group' : null,
      uniqueKey: patientId && (type === 'care_team' || type === 'service_team') ? `${type}:${patientId}` : id,
      members: members.map(([userId, kind]) => ({ userId, kind, joinedAt: T0, addedBy: archived })),
      memberIds: members.map(([userId]) => userId),
      archivedBy: [],
      needsStaffing: false,
      createdBy: archived,
      createdAt: T0,
      updatedAt: T0,
      version: 1,
      outbox: [],
    };
  }

  async function seed(): Promise<void> {
    const teamMember = (id: string, isArchived: boolean) => ({ orgId, teamMemberId: id, firstName: 'T', lastName: id, email: null, title: null, archived: isArchived, updatedAt: T0 });
    await db.collection('team_members').insertMany([teamMember(archived, true), teamMember(clinician, false), teamMember(colleague, false)]);
    const patients: object[] = [];
    const channels: object[] = [];
    const patient = (allocationClinicianId: string | null): string => {
      const id = `pt_${randomUUID().slice(0, 12)}`;
      patients.push({ orgId, patientId: id, firstName: 'P', lastName: id, email: null, allocationClinicianId, displayName: null, avatarMediaId: null, updatedAt: T0 });
      return id;
    };
    for (let i = 0; i < counts.careWithClinician; i++) {
      const p = patient(clinician);
      channels.push(channel('care_team', [[p, 'patient'], [archived, 'team_member']], p));
    }
    for (let i = 0; i < counts.serviceWithColleague; i++) {
      const p = patient(null);
      channels.push(channel('service_team', [[p, 'patient'], [archived, 'team_member'], [colleague, 'team_member']], p));
    }
    for (let i = 0; i < counts.staffAlone; i++) channels.push(channel('staff', [[archived, 'team_member']], patient(null)));
    for (let i = 0; i < counts.groupAlone; i++) channels.push(channel('group', [[patient(null), 'patient'], [archived, 'team_member']], null));
    for (let i = 0; i < counts.dm; i++) channels.push(channel('dm', [[archived, 'team_member'], [colleague, 'team_member']], null));
    await db.collection('patients').insertMany(patients);
    for (let i = 0; i < channels.length; i += 500) await db.collection('channels').insertMany(channels.slice(i, i + 500));
  }

  async function runJob(): Promise<number> {
    const started = Date.now();
    const finished = new Promise<void>((resolve, reject) => {
      queueEvents.once('completed', () => resolve());
      queueEvents.once('failed', ({ failedReason }) => reject(new Error(failedReason)));
    });
    await moduleRef.get(ArchivedMemberFallbackScheduler).schedule({ orgId, teamMemberId: archived });
    await finished;
    return Date.now() - started;
  }

  const count = (filter: object): Promise<number> => db.collection('channels').countDocuments({ orgId, ...filter });

  it('releases the member from all 2,000 channels and staffs exactly those left without a team member', async () => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(await count({ memberIds: archived })).toBe(total);

    const ms = await runJob();
    process.stdout.write(`fallback job: ${total} channels released in ${ms} ms\n`);

    expect(await count({ memberIds: archived })).toBe(0);
    expect(await count({ type: 'care_team', memberIds: clinician })).toBe(counts.careWithClinician);
    expect(await count({ type: 'service_team', memberIds: colleague })).toBe(counts.serviceWithColleague);
    expect(await count({ type: 'service_team', memberIds: clinician })).toBe(0);
    expect(await count({ needsStaffing: true })).toBe(counts.staffAlone + counts.groupAlone);
    expect(await count({ type: { $in: ['care_team', 'service_team', 'dm'] }, needsStaffing: true })).toBe(0);
    expect(await count({ type: 'dm', memberIds: [colleague] })).toBe(counts.dm);
    // Every change was relayed: no outbox left behind.
    await expectEventually(async () => expect(await count({ $or: [{ outboxAt: { $exists: true } }, { outboxPending: { $exists: true } }] })).toBe(0), { timeoutMs: 30_000 });
  }, 300_000);

  it('replaying the event changes nothing', async () => {
    const versionsBefore = await db.collection('channels').find({ orgId }, { projection: { version: 1 } }).toArray();
    await runJob();
    const versionsAfter = await db.collection('channels').find({ orgId }, { projection: { version: 1 } }).toArray();
    expect(versionsAfter).toEqual(versionsBefore);
  }, 120_000);
});
