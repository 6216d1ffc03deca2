import { ExecutionContext } from '@nestjs/common';
import amqplib from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import Redis from 'ioredis';
import { Actor, DomainError, Events, Topology } from '@wellifiy/contracts';
import { connectAmqp } from '@wellifiy/messaging';
import { createIsolatedVhost, deleteVhost, expectEventually, testInfra, uniqueName } from '@wellifiy/testing';
import { GatewayConfig } from '../config/gateway.config';
import { ArchivedMemberGuard } from './archived-member.guard';
import { ArchivedMembersConsumer } from './archived-members.consumer';
import { archivedMemberKey, ArchivedMembersStore } from './archived-members.store';

const CONFIG = { AMQP_PREFETCH: 5, EVENT_MAX_ATTEMPTS: 3 } as GatewayConfig;

function httpContext(user: Actor): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => ({ user }) }) } as unknown as ExecutionContext;
}

/**
 * Item 2 (archived access), against the real RabbitMQ and Redis: the gateway's archive consumer is durable, so
 * an archive published while every gateway is down is applied when one starts again, and the guard then
 * refuses that team member (only in that organisation).
 */
describe('archived team members (real RabbitMQ and Redis)', () => {
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const orgA = uniqueName('org-a');
  const orgB = uniqueName('org-b');
  let connection: AmqpConnectionManager;
  let redis: Redis;
  let store: ArchivedMembersStore;

  beforeAll(async () => {
    connection = connectAmqp(broker.url, uniqueName('it-archived'));
    redis = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: 1 });
    store = new ArchivedMembersStore(redis);
  });

  afterAll(async () => {
    await redis.del(archivedMemberKey(orgA, 'tm_1'), archivedMemberKey(orgA, 'tm_2'));
    await redis.quit();
    await connection.close();
    if (broker.vhost) deleteVhost(broker.vhost);
    else {
      const conn = await amqplib.connect(broker.url);
      const ch = await conn.createChannel();
      await ch.deleteQueue(Topology.eventQueue('gateway'));
      await ch.deleteQueue(Topology.retryQueue(Topology.eventQueue('gateway')));
      await conn.close();
    }
  });

  async function publishArchived(orgId: string, teamMemberId: string): Promise<void> {
    const conn = await amqplib.connect(broker.url);
    try {
      const ch = await conn.createConfirmChannel();
      const id = uniqueName('evt');
      const body = { id, type: Events.TeamMemberArchived, source: 'staff-directory', time: new Date().toISOString(), orgId, data: { teamMemberId } };
      ch.publish(Topology.eventsExchange, Events.TeamMemberArchived, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', messageId: id });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
  }

  it('item 2: an archive published while every gateway is down is applied when a gateway starts again (durable queue)', async () => {
    // A first gateway declares the durable queue, then every gateway stops.
    const first = new ArchivedMembersConsumer(connection, store, CONFIG);
    await first.onApplicationBootstrap();
    await first.onApplicationShutdown();

    await publishArchived(orgA, 'tm_1');
    expect(await store.isArchived(orgA, 'tm_1')).toBe(false);

    const restarted = new ArchivedMembersConsumer(connection, store, CONFIG);
    await restarted.onApplicationBootstrap();
    try {
      await expectEventually(async () => expect(await store.isArchived(orgA, 'tm_1')).toBe(true), { timeoutMs: 10_000 });
      // Keyed by organisation: the same user id elsewhere is not archived.
      expect(await store.isArchived(orgB, 'tm_1')).toBe(false);

      const guard = new ArchivedMemberGuard(store);
      const refused = guard.canActivate(httpContext({ userId: 'tm_1', orgId: orgA, kind: 'team_member', perms: [] }));
      await expect(refused).rejects.toBeInstanceOf(DomainError);
      await expect(refused).rejects.toMatchObject({ code: 'TEAM_MEMBER_ARCHIVED' });
      await expect(guard.canActivate(httpContext({ userId: 'tm_1', orgId: orgB, kind: 'team_member', perms: [] }))).resolves.toBe(true);

      // Live archives keep arriving on the same consumer.
      await publishArchived(orgA, 'tm_2');
      await expectEventually(async () => expect(await store.isArchived(orgA, 'tm_2')).toBe(true));
    } finally {
      await restarted.onApplicationShutdown();
    }
  });
});
