import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Events, TeamMemberArchivedData, Topology } from '@wellifiy/contracts';
import { AMQP_CONNECTION, EventConsumer } from '@wellifiy/messaging';
import { GatewayConfig } from '../config/gateway.config';
import { ArchivedMembersStore } from './archived-members.store';

/**
 * The gateway's durable queue (`wellifiy.gateway.events`), shared by its replicas: each `team-member.archived`
 * is recorded once in Redis even when it arrives while every gateway is down — the per-instance realtime
 * queues are exclusive and auto-deleted, so they alone would miss it. Recording is a plain SET, safe to repeat,
 * so no idempotency store is needed.
 */
@Injectable()
export class ArchivedMembersConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: EventConsumer;

  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly store: ArchivedMembersStore,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer({
      connection: this.connection,
      queue: Topology.eventQueue('gateway'),
      routingKeys: [Events.TeamMemberArchived],
      kind: 'durable',
      prefetch: this.config.AMQP_PREFETCH,
      maxAttempts: this.config.EVENT_MAX_ATTEMPTS,
      canHandle: (type) => type === Events.TeamMemberArchived,
      repeatSafe: () => true,
      handle: async (e) => this.store.markArchived(e.orgId, (e.data as TeamMemberArchivedData).teamMemberId),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.cancel();
    await this.consumer?.drain(5000);
    await this.consumer?.close();
  }
}
