import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { ChannelChangedEvent, Events, Topology } from '@wellifiy/contracts';
import { AMQP_CONNECTION, EventConsumer, EventSeal } from '@wellifiy/messaging';
import { MembershipCache } from './membership.cache';

const CHANNEL_EVENTS: string[] = [Events.ChannelCreated, Events.ChannelUpdated, Events.ChannelMemberAdded, Events.ChannelMemberRemoved];

/**
 * Every channel event, on a queue of this process's own (exclusive, gone with the process), into its
 * MembershipCache: a member removed anywhere stops being served from any replica's cache as soon as the event
 * reaches it. An event that changes nothing cached only raises the version remembered for the channel, so
 * redeliveries and events out of order are harmless.
 */
@Injectable()
export class MembershipFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MembershipFeed');
  private consumer?: EventConsumer;
  /** This process's queue (exclusive: gone with the process's connection). */
  readonly queue = Topology.serviceInstanceQueue('messages', randomUUID());

  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly cache: MembershipCache,
    // Member events are content events (the snapshot names who is in a patient's channel): they arrive sealed.
    private readonly seal: EventSeal,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer({
      connection: this.connection,
      queue: this.queue,
      routingKeys: CHANNEL_EVENTS,
      kind: 'instance',
      prefetch: 64,
      maxAttempts: 1,
      seal: this.seal,
      canHandle: (type) => CHANNEL_EVENTS.includes(type),
      handle: (e) => {
        this.cache.observe(e.orgId, (e as ChannelChangedEvent).data.channel);
        return Promise.resolve();
      },
      onChannel: {
        bound: () => this.cache.connected(),
        lost: () => {
          this.cache.disconnected();
          this.logger.debug('membership feed lost its channel: the cache is off until it is bound again');
        },
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.cache.disconnected();
    await this.consumer?.close();
  }
}
