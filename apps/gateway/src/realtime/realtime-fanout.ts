import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventEnvelope, Topology } from '@wellifiy/contracts';
import { AMQP_CONNECTION, EventConsumer, EventSeal, startSpan, withTraceContext } from '@wellifiy/messaging';
import { GatewayConfig } from '../config/gateway.config';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeRouter } from './realtime-router';

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
    private readonly router: RealtimeRouter,
    private readonly config: GatewayConfig,
    private readonly seal: EventSeal,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const types = this.router.types();
    this.consumer = new EventConsumer({
      connection: this.connection,
      queue: Topology.gatewayRealtimeQueue(randomUUID()),
      routingKeys: types,
      kind: 'instance',
      prefetch: this.config.AMQP_PREFETCH * 8,
      maxAttempts: 1,
      canHandle: (type) => types.includes(type),
      handle: async (e) => this.dispatch(e),
      // Content events arrive sealed; the consumer opens them before validation, so handlers see plain payloads.
      seal: this.seal,
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }

  private dispatch(e: EventEnvelope): void {
    if (this.seen(e.id)) return;
    const handler = this.router.handlerFor(e.type);
    if (!handler) {
      this.logger.warn(`no realtime handler for ${e.type}`);
      return;
    }
    // The last hop of a trace: the emit to this instance's sockets (a child of the event's consumer span).
    const { span, context } = startSpan(`socket emit ${e.type}`, 'producer', undefined, { 'wellifiy.event_id': e.id });
    try {
      withTraceContext(context, () => handler(e, this.gateway.server));
    } finally {
      span.end();
    }
  }

  private seen(id: string): boolean {
    if (this.recent.has(id)) return true;
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as string);
    return false;
  }
}
