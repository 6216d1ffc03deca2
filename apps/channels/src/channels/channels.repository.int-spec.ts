import { randomUUID } from 'node:crypto';
import { getModelToken } from '@nestjs/mongoose';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import mongoose, { type Model } from 'mongoose';
import { EventName, Topology } from '@wellifiy/contracts';
import { connectAmqp, EventPublisher, EventSeal, OutboxEntry, outboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { KeyRing } from '@wellifiy/crypto';
import { MongoModule } from '@wellifiy/persistence';
import {
  AmqpProbe, CaptureQueue, expectEventually, IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, testInfra, uniqueName, uniqueRoutingKey,
} from '@wellifiy/testing';
import { Channel } from './channel.mapper';
import { CHANNEL_MODEL, ChannelDoc, ChannelMemberDoc, ChannelSchema } from './channel.schema';
import { ChannelsRepository, MongoChannelsRepository } from './channels.repository';

describe('MongoChannelsRepository (FerretDB + RabbitMQ)', () => {
  const routingKey = uniqueRoutingKey();
  const orgA = uniqueName('org-a');
  const orgB = uniqueName('org-b');
  let suite: IntegrationModule;
  let repo: ChannelsRepository;
  let model: Model<ChannelDoc>;
  let amqp: AmqpConnectionManager;
  let publisher: EventPublisher;
  let probe: AmqpProbe;
  let published: CaptureQueue;

  beforeAll(async () => {
    amqp = connectAmqp(testInfra.amqpUrl, uniqueName('it-channels-repo'));
    publisher = new EventPublisher(amqp, 'it-channels');
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
    published = await probe.capture(Topology.eventsExchange, 'topic', [routingKey]);
    suite = await integrationModule({
      database: MongoModule,
      models: [{ name: CHANNEL_MODEL, schema: ChannelSchema }],
      providers: [
        { provide: EventPublisher, useValue: publisher },
        { provide: KeyRing, useValue: KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID) },
        {
          provide: OutboxRelay,
          inject: [EventPublisher],
          useFactory: (p: EventPublisher) =>
            new OutboxRelay(p, 'it-channels', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID))),
        },
        { provide: ChannelsRepository, useClass: MongoChannelsRepository },
      ],
    });
    repo = suite.moduleRef.get(ChannelsRepository);
    model = suite.moduleRef.get<Model<ChannelDoc>>(getModelToken(CHANNEL_MODEL));
  });

  afterAll(async () => {
    await suite?.close();
    await probe?.close();
    await publisher?.close();
    await amqp?.close();
  });

  const member = (userId: string, kind: ChannelMemberDoc['kind']): ChannelMemberDoc => ({ userId, kind, joinedAt: new Date(), addedBy: 'tm_actor' });

  function aChannel(overrides: Partial<Channel> & { members?: ChannelMemberDoc[] } = {}): Channel {
    const id = `ch_${randomUUID().replace(/-/g, '')}`;
    const patientId = overrides.patientId ?? `pat_${randomUUID().slice(0, 8)}`;
    const type = overrides.type ?? 'care_team';
    const members = overrides.members ?? [member(patientId, 'patient'), member('tm_actor', 'team_member')];
    const now = new Date();
    return {
      _id: id,
      orgId: orgA,
      type,
      patientId,
      name: null,
      uniqueKey: type === 'care_team' || type === 'service_team' ? `${type}:${patientId}` : id,
      members,
      memberIds: members.map((m) => m.userId),
      archivedBy: [],
      needsStaffing: false,
      createdBy: 'tm_actor',
      createdAt: now,
      updatedAt: now,
      version: 1,
      ...overrides,
    };
  }

  /** An event of this suite's own type: published on the exchange where only this suite listens. */
  const event = (channelId: string): OutboxEntry =>
    outboxEntry(routingKey as unknown as EventName, { channelId } as never, { orgId: orgA });

  const publishedIds = () => published.messages.map((m) => (m.body as { id: string }).id);

  it('insert stores the channel and relays its outbox events, then clears the outbox', async () => {
    const channel = aChannel();
    const events = [event(channel._id)];

    const inserted = await repo.insert(channel, events);

    expect(inserted?._id).toBe(channel._id);
    await expectEventually(() => expect(publishedIds()).toContain(events[0].id));
    const msg = published.messages.find((m) => (m.body as { id: string }).id === events[0].id);
    expect(msg?.body).toMatchObject({ type: routingKey, orgId: orgA, source: 'it-channels', data: { channelId: channel._id } });
    const raw = await model.collection.findOne({ _id: channel._id as never });
    expect(raw?.outbox).toEqual([]);
    expect(raw).not.toHaveProperty('outboxAt');
    expect(raw?.memberIds).toEqual(channel.memberIds);
  });

  it('item 3: a channel name (free text) rests sealed, bound to its channel, and reads back on every path', async () => {
    const name = `Group about ${randomUUID()}`;
    const channel = { ...aChannel({ type: 'group' }), name };
    await repo.insert(channel, []);

    const raw = await model.collection.findOne({ _id: channel._id as never });
    expect(JSON.stringify(raw)).not.toContain(name);
    expect(raw?.name).toMatchObject({ keyId: LOCAL_ENCRYPTION_ACTIVE_KEY_ID, ciphertext: expect.any(String) });
    expect((await repo.findById(orgA, channel._id))?.name).toBe(name);
    const renamed = await repo.update(orgA, channel._id, (c) => ({ next: { ...c, name: `${name} (renamed)`, version: c.version + 1 }, events: [] }));
    expect(renamed?.name).toBe(`${name} (renamed)`);
    expect(JSON.stringify(await model.collection.findOne({ _id: channel._id as never }))).not.toContain(name);
    expect((await repo.listForMember(orgA, 'tm_actor', { type: 'group' })).find((c) => c._id === channel._id)?.name).toBe(`${name} (renamed)`);
  });

  it('concurrent member additions to one channel from two connections (two replicas, no lock) all land, each once', async () => {
    const channel = aChannel();
    await repo.insert(channel, []);
    // A second repository over its own connection, as another replica of the service would be.
    const second = await mongoose.createConnection(testInfra.mongoUrl, { dbName: suite.dbName, retryWrites: false }).asPromise();
    try {
      const ring = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
      const other = new MongoChannelsRepository(second.model<ChannelDoc>(CHANNEL_MODEL, ChannelSchema), suite.moduleRef.get(OutboxRelay), ring);
      const added = Array.from({ length: 12 }, (_, i) => `tm_extra_${i}`);
      await Promise.all(
        added.map((userId, i) =>
          (i % 2 ? other : repo).update(orgA, channel._id, (c) => ({
            next: { ...c, members: [...c.members, member(userId, 'team_member')], memberIds: [...c.memberIds, userId], version: c.version + 1 },
            events: [],
          })),
        ),
      );
      const stored = await repo.findById(orgA, channel._id);
      expect([...(stored?.memberIds ?? [])].sort()).toEqual([...channel.memberIds, ...added].sort());
      expect(stored?.version).toBe(channel.version + added.length);
    } finally {
      await second.close();
    }
  });

  it('refuses a second care_team for the same patient (returns null, stores and publishes nothing)', async () => {
    const first = aChannel({ type: 'care_team' });
    expect(await repo.insert(first, [])).not.toBeNull();
    const second = aChannel({ type: 'care_team', patientId: first.patientId });
    const secondEvent = event(second._id);

    await expect(repo.insert(second, [secondEvent])).resolves.toBeNull();

    expect(await model.countDocuments({ orgId: orgA, uniqueKey: first.uniqueKey })).toBe(1);
    expect(await repo.findById(orgA, second._id)).toBeNull();
    expect((await repo.findByUniqueKey(orgA, first.uniqueKey))?._id).toBe(first._id);
    expect(publishedIds()).not.toContain(secondEvent.id);
  });

  it('allows the same care_team key in another organisation', async () => {
    const inA = aChannel({ type: 'care_team' });
    await repo.insert(inA, []);
    const inB = aChannel({ type: 'care_team', patientId: inA.patientId, orgId: orgB });
    await expect(repo.insert(inB, [])).resolves.toMatchObject({ _id: inB._id });
  });

  it('findForMember finds a channel only for a member, in its own organisation', async () => {
    const channel = aChannel({ members: [member('pat_fm', 'patient'), member('tm_fm', 'team_member')] });
    await repo.insert(channel, []);

    const found = await repo.findForMember(orgA, channel._id, 'tm_fm');
    expect(found?._id).toBe(channel._id);
    expect(found).not.toHaveProperty('outbox');
    expect(found).not.toHaveProperty('outboxAt');
    expect(found?.createdAt).toBeInstanceOf(Date);
    expect(await repo.findForMember(orgA, channel._id, 'pat_fm')).not.toBeNull();
    expect(await repo.findForMember(orgA, channel._id, 'tm_stranger')).toBeNull();
    expect(await repo.findForMember(orgB, channel._id, 'tm_fm')).toBeNull();
    expect(await repo.findById(orgB, channel._id)).toBeNull();
  });

  it('listForMember returns the member’s channels of that organisation only, filtered by type and patient', async () => {
    const me = uniqueName('tm_me');
    const p1 = uniqueName('pat');
    const p2 = uniqueName('pat');
    const care1 = aChannel({ type: 'care_team', patientId: p1, members: [member(p1, 'patient'), member(me, 'team_member')] });
    const service1 = aChannel({ type: 'service_team', patientId: p1, members: [member(p1, 'patient'), member(me, 'team_member')] });
    const care2 = aChannel({ type: 'care_team', patientId: p2, members: [member(p2, 'patient'), member(me, 'team_member')] });
    const notMine = aChannel({ type: 'care_team', members: [member('pat_x', 'patient'), member('tm_other', 'team_member')] });
    const otherOrg = aChannel({ type: 'care_team', orgId: orgB, members: [member('pat_y', 'patient'), member(me, 'team_member')] });
    for (const c of [care1, service1, care2, notMine, otherOrg]) expect(await repo.insert(c, [])).not.toBeNull();

    const ids = (cs: Channel[]) => cs.map((c) => c._id).sort();
    expect(ids(await repo.listForMember(orgA, me, {}))).toEqual([care1._id, service1._id, care2._id].sort());
    expect(ids(await repo.listForMember(orgA, me, { type: 'care_team' }))).toEqual([care1._id, care2._id].sort());
    expect(ids(await repo.listForMember(orgA, me, { patientId: p1 }))).toEqual([care1._id, service1._id].sort());
    expect(ids(await repo.listForMember(orgA, me, { type: 'service_team', patientId: p1 }))).toEqual([service1._id]);
    expect(ids(await repo.listForMember(orgB, me, {}))).toEqual([otherOrg._id]);
    expect((await repo.listIdsForMember(orgA, me)).sort()).toEqual([care1._id, service1._id, care2._id].sort());
    for (const c of await repo.listForMember(orgA, me, {})) expect(c).not.toHaveProperty('outbox');
  });
});
