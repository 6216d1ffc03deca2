import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { EventEnvelope, EventName, EventPayloads, Headers, Topology } from '@wellifiy/contracts';
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
 * has confirmed them. While the broker is unreachable, publishes wait for the reconnect.
 */
export class EventPublisher {
  private readonly channel: ChannelWrapper;

  constructor(
    connection: AmqpConnectionManager,
    private readonly source: string,
  ) {
    this.channel = connection.createChannel({
      name: `${source}-publisher`,
      confirm: true,
      setup: (ch: ConfirmChannel) => declareBaseTopology(ch),
    });
  }

  envelope<K extends EventName>(type: K, data: EventPayloads[K], opts: PublishOptions): EventEnvelope<EventPayloads[K]> {
    return {
      id: opts.id ?? newEventId(),
      type,
      source: this.source,
      time: new Date().toISOString(),
      orgId: opts.orgId,
      data,
      ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    };
  }

  async publish<K extends EventName>(type: K, data: EventPayloads[K], opts: PublishOptions): Promise<EventEnvelope<EventPayloads[K]>> {
    const envelope = this.envelope(type, data, opts);
    await this.publishEnvelope(envelope);
    return envelope;
  }

  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    await this.channel.publish(Topology.eventsExchange, envelope.type, Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      contentType: 'application/json',
      messageId: envelope.id,
      timestamp: Math.floor(Date.parse(envelope.time) / 1000),
      headers: envelope.correlationId ? { [Headers.correlationId]: envelope.correlationId } : {},
    });
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}
