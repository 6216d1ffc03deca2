import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { ChannelSnapshot } from '@wellifiy/contracts';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, uniqueName } from '@wellifiy/testing';
import { MembershipRepository, MongoMembershipRepository } from './membership.repository';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema } from './membership.schema';

describe('MongoMembershipRepository (FerretDB)', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  let repo: MembershipRepository;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [{ name: CHANNEL_PROJECTION_MODEL, schema: ChannelProjectionSchema }],
      providers: [{ provide: MembershipRepository, useClass: MongoMembershipRepository }],
    });
    repo = suite.moduleRef.get(MembershipRepository);
    connection = suite.db;
  });

  afterAll(() => suite?.close());

  /** Version v of a channel has members pat + tm_1..tm_v, so each version is recognisable. */
  function snapshot(id: string, version: number): ChannelSnapshot {
    const members: ChannelSnapshot['members'] = [{ userId: 'pat_1', kind: 'patient' }];
    for (let i = 1; i <= version; i++) members.push({ userId: `tm_${i}`, kind: 'team_member' });
    return { id, type: 'care_team', patientId: 'pat_1', members, needsStaffing: false, version };
  }

  const orders: number[][] = [
    [1, 2, 3, 4, 5],
    [5, 4, 3, 2, 1],
    [3, 1, 5, 2, 4],
    [2, 5, 1, 4, 3],
    [4, 4, 2, 5, 5, 1],
  ];

  it.each(orders.map((order) => [order]))('applied in order %j, the newest version wins', async (order: number[]) => {
    const channelId = `ch_${randomUUID()}`;
    for (const v of order) await repo.apply(org, snapshot(channelId, v));

    const stored = await repo.find(org, channelId);
    expect(stored).toEqual({ id: channelId, orgId: org, type: 'care_team', patientId: 'pat_1', members: snapshot(channelId, 5).members, version: 5 });
    const raw = await connection.collection('channels').findOne({ _id: channelId as never });
    expect(raw?.memberIds).toEqual(['pat_1', 'tm_1', 'tm_2', 'tm_3', 'tm_4', 'tm_5']);
  });

  it('applies each newer version as it arrives, and ignores an older one', async () => {
    const channelId = `ch_${randomUUID()}`;
    await repo.apply(org, snapshot(channelId, 2));
    expect((await repo.find(org, channelId))?.version).toBe(2);
    await repo.apply(org, snapshot(channelId, 3));
    expect((await repo.find(org, channelId))?.members).toHaveLength(4);
    await repo.apply(org, snapshot(channelId, 1));
    expect(await repo.find(org, channelId)).toMatchObject({ version: 3, members: snapshot(channelId, 3).members });
  });

  // Two replicas of the messages service apply events of one channel at the same time.
  it('ends on the newest version when versions race each other', async () => {
    const channelIds = Array.from({ length: 5 }, () => `ch_${randomUUID()}`);
    for (const id of channelIds) await repo.apply(org, snapshot(id, 1));
    const results = await Promise.allSettled(
      channelIds.flatMap((id) => [6, 3, 9, 2, 10, 5, 8, 4, 7].map((v) => repo.apply(org, snapshot(id, v)))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const versions = await Promise.all(channelIds.map(async (id) => (await repo.find(org, id))?.version));
    expect(versions).toEqual([10, 10, 10, 10, 10]);
  });

  it('find filters by organisation', async () => {
    const channelId = `ch_${randomUUID()}`;
    await repo.apply(org, snapshot(channelId, 1));
    expect(await repo.find(uniqueName('other-org'), channelId)).toBeNull();
    expect(await repo.find(org, `ch_${randomUUID()}`)).toBeNull();
  });

  it("channelsOfPatient: the channels linked to the patient and those they are a member of, in the organisation only", async () => {
    const patientId = `pat_${randomUUID()}`;
    const linked = `ch_${randomUUID()}`;
    const group = `ch_${randomUUID()}`;
    const elsewhere = `ch_${randomUUID()}`;
    await repo.apply(org, { id: linked, type: 'staff', patientId, members: [{ userId: 'tm_1', kind: 'team_member' }], needsStaffing: false, version: 1 });
    await repo.apply(org, { id: group, type: 'group', patientId: null, members: [{ userId: patientId, kind: 'patient' }], needsStaffing: false, version: 1 });
    await repo.apply(uniqueName('other-org'), { id: elsewhere, type: 'care_team', patientId, members: [{ userId: patientId, kind: 'patient' }], needsStaffing: false, version: 1 });
    expect((await repo.channelsOfPatient(org, patientId)).sort()).toEqual([linked, group].sort());
  });
});
