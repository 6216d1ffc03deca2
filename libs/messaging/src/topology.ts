import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { Headers, Topology } from '@wellifiy/contracts';

/*
 * Every queue and exchange is declared here and only here: RabbitMQ refuses a re-declaration whose
 * arguments differ (406 PRECONDITION_FAILED), so one definition per kind of queue keeps them identical.
 */

const durableQueue = (extra: Options.AssertQueue['arguments'] = {}): Options.AssertQueue => ({
  durable: true,
  arguments: { 'x-dead-letter-exchange': Topology.deadLetterExchange, ...extra },
});

/**
 * Bounds of the dead-letter queue: a flood of poison must not fill the broker's disk, and a dead letter is kept
 * for inspection, not forever. Past either bound the oldest go first (`drop-head`: `reject-publish` would nack
 * our own dead-lettering publish, and the consumer would then hold the poison message forever).
 */
export const DEAD_LETTER_BOUNDS = {
  'x-max-length': 100_000,
  'x-message-ttl': 14 * 24 * 3600 * 1000,
  'x-overflow': 'drop-head',
} as const;

/** Exchanges and the dead-letter queue every process relies on. */
export async function declareBaseTopology(ch: Channel): Promise<void> {
  await ch.assertExchange(Topology.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(Topology.deadLetterExchange, 'fanout', { durable: true });
  // A new name, because the queue the dead letters used to go to was declared without bounds, and RabbitMQ
  // answers a re-declaration with other arguments with 406. The old queue is only unbound (RabbitMQ treats
  // unbinding a missing queue or binding as done): it keeps what it holds until an operator deletes it (README).
  await ch.assertQueue(Topology.deadLetterQueue, { durable: true, arguments: { ...DEAD_LETTER_BOUNDS } });
  await ch.bindQueue(Topology.deadLetterQueue, Topology.deadLetterExchange, '');
  await ch.unbindQueue(Topology.legacyDeadLetterQueue, Topology.deadLetterExchange, '');
}

/**
 * A consuming service's durable event queue, bound to the routing keys it handles, plus its retry
 * queue: a failed event is parked there with a per-message TTL and dead-lettered back to the main queue.
 */
export async function declareEventQueue(ch: Channel, queue: string, routingKeys: string[]): Promise<void> {
  await ch.assertQueue(queue, durableQueue());
  await ch.assertQueue(Topology.retryQueue(queue), {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  });
  for (const key of routingKeys) await ch.bindQueue(queue, Topology.eventsExchange, key);
}

/** A per-process queue (the gateway's realtime fan-out): gone when the process disconnects. */
export async function declareInstanceQueue(ch: Channel, queue: string, routingKeys: string[]): Promise<void> {
  await ch.assertQueue(queue, {
    exclusive: true,
    autoDelete: true,
    durable: false,
    arguments: { 'x-dead-letter-exchange': Topology.deadLetterExchange },
  });
  for (const key of routingKeys) await ch.bindQueue(queue, Topology.eventsExchange, key);
}

/** Publish options that send `msg` to the dead-letter queue with the reason and the queue it came from. */
export function deadLetterOptions(msg: ConsumeMessage, queue: string, reason: string): Options.Publish {
  return {
    persistent: true,
    contentType: msg.properties.contentType,
    messageId: msg.properties.messageId,
    headers: {
      ...(msg.properties.headers ?? {}),
      [Headers.deadLetterReason]: reason,
      [Headers.deadLetterQueue]: queue,
      'x-original-routing-key': msg.fields.routingKey,
    },
  };
}

/** A service's RPC command queue. */
export async function declareCommandQueue(ch: Channel, queue: string): Promise<void> {
  await ch.assertQueue(queue, durableQueue());
}
