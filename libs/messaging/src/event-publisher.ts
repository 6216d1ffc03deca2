import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { EventEnvelope, EventName, EventPayloads, Headers, Topology } from '@wellifiy/contracts';
import { currentContext, outgoingHeaders } from './context';
import { EventSeal, hasSealedPayload, WireEnvelope } from './event-seal';
import { declareBaseTopology } from './topology';

export function newEventId(): string {
  return `evt_${randomUUID()}`;
}

export interface PublishOptions {
  orgId: string;
  correlationId?: string;
  id?: string;
}

/**
 * Publishes events on the topic exchange as persistent messages and resolves only when the broker
 * has confirmed them. While the broker is unreachable, publishes wait for the reconnect. Content events
 * (SEALED_EVENT_TYPES) go out sealed: persistent messages rest on the broker's disk, and in its queues.
 */
export class EventPublisher {
  private readonly channel: ChannelWrapper;

  constructor(
    connection: AmqpConnectionManager,
    private readonly source: string,
    private readonly seal?: EventSeal,
  ) {
    this.channel = connection.createChannel({
      name: `${source}-publisher`,
      confirm: true,
      setup: (ch: ConfirmChannel) => declareBaseTopology(ch),
    });
  }

  envelope<K extends EventName>(type: K, data: EventPayloads[K], opts: PublishOptions): EventEnvelope<EventPayloads[K]> {
    const correlationId = opts.correlationId ?? currentContext()?.correlationId;
    return {
      id: opts.id ?? newEventId(),
      type,
      source: this.source,
      time: new Date().toISOString(),
      orgId: opts.orgId,
      data,
      ...(correlationId ? { correlationId } : {}),
    };
  }

  async publish<K extends EventName>(type: K, data: EventPayloads[K], opts: PublishOptions): Promise<EventEnvelope<EventPayloads[K]>> {
    const envelope = this.envelope(type, data, opts);
    await this.publishEnvelope(envelope);
    return envelope;
  }

  /**
   * `trace`: the W3C trace context the event was decided in (an outbox entry published later by the relay);
   * without it, that of the running work.
   */
  async publishEnvelope(envelope: EventEnvelope | WireEnvelope, trace?: { traceparent?: string; tracestate?: string }): Promise<void> {
    const wire = this.toWire(envelope);
    await this.channel.publish(Topology.eventsExchange, envelope.type, Buffer.from(JSON.stringify(wire)), {
      persistent: true,
      contentType: 'application/json',
      messageId: envelope.id,
      timestamp: Math.floor(Date.parse(envelope.time) / 1000),
      headers: trace?.traceparent
        ? { ...(envelope.correlationId ? { [Headers.correlationId]: envelope.correlationId } : {}), traceparent: trace.traceparent, ...(trace.tracestate ? { tracestate: trace.tracestate } : {}) }
        : outgoingHeaders(envelope.correlationId),
    });
  }

  private toWire(envelope: EventEnvelope | WireEnvelope): WireEnvelope {
    if (this.seal) return this.seal.toWire(envelope);
    if (EventSeal.needsSealing(envelope.type) && !hasSealedPayload(envelope)) {
      throw new Error(`${envelope.type} carries content and must be sealed, but this process has no key ring`);
    }
    return envelope as WireEnvelope;
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}
