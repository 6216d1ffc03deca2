import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import {
  ChannelChangedData, ChannelMemberAddedData, ChannelMemberRemovedData, EventEnvelope, Events, MessageCreatedData, Topology,
} from '@wellifiy/contracts';
import { AMQP_CONNECTION, EventConsumer } from '@wellifiy/messaging';
import { GatewayConfig } from '../config/gateway.config';
import { RealtimeGateway } from './realtime.gateway';
import { channelRoom, ClientEvents, userRoom } from './rooms';

const ROUTING_KEYS = [Events.MessageCreated, Events.ChannelCreated, Events.ChannelUpdated, Events.ChannelMemberAdded, Events.ChannelMemberRemoved];
const RECENT_IDS = 10_000;

/**
 * This instance's copy of the realtime events: an exclusive queue bound to the exchange, so with N
 * gateway instances each emits to its own sockets. Outbox relays may publish an event twice; the
 * recent-id set keeps clients from seeing it twice.
 */
@Injectable()
export class RealtimeFanout implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RealtimeFanout');
  private consumer?: EventConsumer;
  private readonly recent = new Set<string>();

  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly gateway: RealtimeGateway,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer({
      connection: this.connection,
      queue: Topology.gatewayRealtimeQueue(randomUUID()),
      routingKeys: ROUTING_KEYS,
      kind: 'instance',
      prefetch: this.config.AMQP_PREFETCH * 8,
      maxAttempts: 1,
      canHandle: (type) => (ROUTING_KEYS as string[]).includes(type),
      handle: async (e) => this.dispatch(e),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }

  private dispatch(e: EventEnvelope): void {
    if (this.seen(e.id)) return;
    const io = this.gateway.server;
    switch (e.type) {
      case Events.MessageCreated: {
        const { message } = e.data as MessageCreatedData;
        io.to(channelRoom(message.channelId)).emit(ClientEvents.MessageCreated, message);
        return;
      }
      case Events.ChannelCreated:
      case Events.ChannelUpdated: {
        const { channel } = e.data as ChannelChangedData;
        for (const m of channel.members) io.in(userRoom(m.userId)).socketsJoin(channelRoom(channel.id));
        const name = e.type === Events.ChannelCreated ? ClientEvents.ChannelCreated : ClientEvents.ChannelUpdated;
        io.to(channelRoom(channel.id)).emit(name, { channelId: channel.id, channel });
        return;
      }
      case Events.ChannelMemberAdded: {
        const { channel, userId, userKind } = e.data as ChannelMemberAddedData;
        io.in(userRoom(userId)).socketsJoin(channelRoom(channel.id));
        io.to(channelRoom(channel.id)).emit(ClientEvents.MemberAdded, { channelId: channel.id, userId, kind: userKind, version: channel.version });
        return;
      }
      case Events.ChannelMemberRemoved: {
        const { channel, userId } = e.data as ChannelMemberRemovedData;
        io.to(channelRoom(channel.id)).emit(ClientEvents.MemberRemoved, { channelId: channel.id, userId, version: channel.version });
        // From now on the removed user's sockets receive nothing of this channel.
        io.in(userRoom(userId)).socketsLeave(channelRoom(channel.id));
        return;
      }
      default:
        this.logger.warn(`unexpected realtime event type ${e.type}`);
    }
  }

  private seen(id: string): boolean {
    if (this.recent.has(id)) return true;
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as string);
    return false;
  }
}
