import mongoose, { Connection } from 'mongoose';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { ChannelSnapshot, Events } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { connectAmqp, EventPublisher, EventSeal } from '@wellifiy/messaging';
import { createIsolatedVhost, deleteVhost, expectEventually, testInfra, uniqueName } from '@wellifiy/testing';
import { MembershipCache } from './membership.cache';
import { MembershipFeed } from './membership.feed';
import { MongoMembershipRepository } from './membership.repository';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema } from './membership.schema';

/*
 * Two messages processes, each with its own broker connection, MembershipCache and MembershipFeed, over one
 * membership projection in the real database, on a vhost of the test's own. A member is removed: the process that
 * cached the channel must stop serving the removed member as soon as the event reaches its own queue — before the
 * projection is written — and a process that lost its broker connection must stop serving from its cache at all.
 */
describe('MembershipFeed: channel events keep every process\'s membership cache current', () => {
  jest.setTimeout(60_000);
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const dbName = uniqueName('it-membership-feed');
  const orgId = 'org_it';
  const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));
  let db: Connection;
  let repo: MongoMembershipRepository;
  let publisherAmqp: AmqpConnectionManager;
  let publisher: EventPublisher;
  const processes: { amqp: AmqpConnectionManager; cache: MembershipCache; feed: MembershipFeed }[] = [];

  const snapshot = (id: string, version: number, members: string[]): ChannelSnapshot => ({
    id, type: 'group', patientId: null, needsStaffing: false, version, members: members.map((userId) => ({ userId, kind: 'team_member' as const })),
  });

  async function startProcess(name: string): Promise<(typeof processes)[number]> {
    const amqp = connectAmqp(broker.url, uniqueName(name));
    const cache = new MembershipCache({ ttlMs: 60_000, maxEntries: 1_000 });
    const feed = new MembershipFeed(amqp, cache, seal);
    await feed.onApplicationBootstrap();
    const p = { amqp, cache, feed };
    processes.push(p);
    return p;
  }

  /** What a requireMember does on its local path: the cache, else the projection (kept if current enough). */
  async function lookup(p: (typeof processes)[number], channelId: string) {
    const cached = p.cache.get(orgId, channelId);
    if (cached) return { from: 'cache', members: cached.members.map((m) => m.userId) };
    const row = await repo.find(orgId, channelId);
    if (row) p.cache.put(row);
    return { from: 'projection', members: row?.members.map((m) => m.userId) ?? [] };
  }

  beforeAll(async () => {
    db = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false }).asPromise();
    const model = db.model(CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema);
    await model.init();
    repo = new MongoMembershipRepository(model as never);
    publisherAmqp = connectAmqp(broker.url, uniqueName('it-channels-publisher'));
    publisher = new EventPublisher(publisherAmqp, 'channels', seal);
  });

  afterAll(async () => {
    for (const p of processes) {
      await p.feed.onApplicationShutdown().catch(() => undefined);
      await p.amqp.close().catch(() => undefined);
    }
    await publisher?.close();
    await publisherAmqp?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    if (broker.vhost) deleteVhost(broker.vhost);
  });

  it('a removal reaches the cache of the process that did not write the projection, before the projection write', async () => {
    const a = await startProcess('it-messages-a');
    const b = await startProcess('it-messages-b');
    const channelId = uniqueName('ch');
    await repo.apply(orgId, snapshot(channelId, 1, ['tm_kept', 'tm_removed']));
    expect(await lookup(b, channelId)).toEqual({ from: 'projection', members: ['tm_kept', 'tm_removed'] });
    expect(await lookup(b, channelId)).toEqual({ from: 'cache', members: ['tm_kept', 'tm_removed'] });

    // The channels service announces the removal; the replica consuming the service queue has not applied it yet.
    const removed = snapshot(channelId, 2, ['tm_kept']);
    await publisher.publish(Events.ChannelMemberRemoved, { channel: removed, userId: 'tm_removed', actorId: 'tm_admin' }, { orgId });
    await expectEventually(async () => expect(await lookup(b, channelId)).toEqual({ from: 'cache', members: ['tm_kept'] }), { timeoutMs: 10_000 });
    expect((await repo.find(orgId, channelId))?.members.map((m) => m.userId)).toEqual(['tm_kept', 'tm_removed']);

    // A read of the projection that is older than the event heard is used but not cached, in the other process too.
    expect(await lookup(a, channelId)).toEqual({ from: 'projection', members: ['tm_kept', 'tm_removed'] });
    expect(await lookup(a, channelId)).toEqual({ from: 'projection', members: ['tm_kept', 'tm_removed'] });
    await repo.apply(orgId, removed);
    expect(await lookup(a, channelId)).toEqual({ from: 'projection', members: ['tm_kept'] });
    expect(await lookup(a, channelId)).toEqual({ from: 'cache', members: ['tm_kept'] });
  });

  it('a process whose broker connection drops serves nothing from its cache until the feed is bound again', async () => {
    const c = await startProcess('it-messages-c');
    const channelId = uniqueName('ch');
    await repo.apply(orgId, snapshot(channelId, 1, ['tm_1']));
    await lookup(c, channelId);
    expect(await lookup(c, channelId)).toMatchObject({ from: 'cache' });

    // The process's connection goes (as when its node goes away); the manager connects again by itself.
    await (c.amqp as unknown as { connection: { close(): Promise<void> } }).connection.close();
    await expectEventually(() => expect(c.cache.get(orgId, channelId)).toBeUndefined(), { timeoutMs: 5_000, intervalMs: 10 });
    expect(await lookup(c, channelId)).toMatchObject({ from: 'projection' });

    // Bound again on a new connection: events flow, but what is read now is not cached for one time limit.
    const changed = snapshot(channelId, 2, ['tm_1', 'tm_2']);
    await expectEventually(async () => {
      await publisher.publish(Events.ChannelMemberAdded, { channel: changed, userId: 'tm_2', userKind: 'team_member', actorId: 'tm_admin' }, { orgId });
      await repo.apply(orgId, changed);
      expect(await lookup(c, channelId)).toEqual({ from: 'projection', members: ['tm_1', 'tm_2'] });
      expect(c.amqp.isConnected()).toBe(true);
    }, { timeoutMs: 20_000, intervalMs: 250 });
    expect(await lookup(c, channelId)).toMatchObject({ from: 'projection' });
  });
});
