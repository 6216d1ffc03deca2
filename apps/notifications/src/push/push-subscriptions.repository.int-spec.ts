import type { Connection } from 'mongoose';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, uniqueName } from '@wellifiy/testing';
import { PUSH_SUBSCRIPTION_MODEL, PushSubscriptionSchema } from './push-subscription.schema';
import { MongoPushSubscriptionsRepository, PushSubscriptionsRepository, RegisterDeviceResult } from './push-subscriptions.repository';

describe('push subscriptions repository (FerretDB)', () => {
  const org = uniqueName('org');
  const keys = { p256dh: 'p256dh-key', auth: 'auth-secret' };
  let suite: IntegrationModule;
  let repo: PushSubscriptionsRepository;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [{ name: PUSH_SUBSCRIPTION_MODEL, schema: PushSubscriptionSchema }],
      providers: [{ provide: PushSubscriptionsRepository, useClass: MongoPushSubscriptionsRepository }],
    });
    repo = suite.moduleRef.get(PushSubscriptionsRepository);
    connection = suite.db;
    await connection.syncIndexes();
  });

  afterAll(() => suite?.close());

  const registered = (r: RegisterDeviceResult) => {
    if (r.status !== 'registered') throw new Error(`expected a registration, got ${r.status}`);
    return r;
  };

  it("item 6: an endpoint stays bound to the user who registered it; another user's registration is refused and moves nothing", async () => {
    const endpoint = 'https://push.example/device-shared';
    const first = registered(await repo.register({ orgId: org, userId: 'pat_a', endpoint, keys, maxDevices: 5 }));
    expect(await repo.register({ orgId: org, userId: 'pat_b', endpoint, keys: { p256dh: 'other', auth: 'other' }, maxDevices: 5 })).toEqual({ status: 'endpoint-taken' });
    expect(await repo.find(org, first.subscription.id)).toMatchObject({ userId: 'pat_a', keys });
    expect(await repo.ofUsers(org, ['pat_b'])).toEqual([]);

    // The owner re-registering refreshes the keys of the same row.
    const again = registered(await repo.register({ orgId: org, userId: 'pat_a', endpoint, keys: { p256dh: 'new', auth: 'new' }, maxDevices: 5 }));
    expect(again.subscription.id).toBe(first.subscription.id);
    expect((await repo.find(org, first.subscription.id))?.keys).toEqual({ p256dh: 'new', auth: 'new' });

    // The same endpoint in another organisation is another user's device there (user ids are per organisation).
    expect((await repo.register({ orgId: `${org}-2`, userId: 'pat_b', endpoint, keys, maxDevices: 5 })).status).toBe('registered');
  });

  it('item 6: a user keeps at most maxDevices devices; registering one more removes the least recently registered', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(registered(await repo.register({ orgId: org, userId: 'pat_cap', endpoint: `https://push.example/cap-${i}`, keys, maxDevices: 3 })).subscription.id);
    }
    // Re-registering device 0 makes it the most recent: device 1 is now the oldest.
    await repo.register({ orgId: org, userId: 'pat_cap', endpoint: 'https://push.example/cap-0', keys, maxDevices: 3 });
    const fourth = registered(await repo.register({ orgId: org, userId: 'pat_cap', endpoint: 'https://push.example/cap-3', keys, maxDevices: 3 }));
    expect(fourth.evicted).toBe(1);
    const left = (await repo.ofUsers(org, ['pat_cap'])).map((s) => s.endpoint).sort();
    expect(left).toEqual(['https://push.example/cap-0', 'https://push.example/cap-2', 'https://push.example/cap-3']);
    expect(await repo.find(org, ids[1])).toBeNull();
  });
});
