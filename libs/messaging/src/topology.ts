import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { Headers, Topology } from '@wellifiy/contracts';

/*
 * Every queue and exchange is declared here and only here: RabbitMQ refuses a re-declaration whose
 * arguments differ (406 PRECONDITION_FAILED), so one definition per kind of queue keeps them identical.
 *
 * A service's queues (its events, their retry queue, its commands) and the dead-letter queue are quorum queues: replicated
 * over the cluster's nodes (Raft), so losing one node of three loses neither a queue nor a confirmed message. Only a
 * process's own exclusive queues (a gateway's realtime queue, RPC replies) are classic: they go with the process anyway.
 */

/**
 * Deliveries of one message the broker makes before it gives up on it (quorum queues' `x-delivery-limit`). A delivery
 * that is neither acked nor rejected — its consumer crashed or lost its channel — comes back with its count raised
 * (`x-delivery-count`); our own attempt counting (`x-attempt`) only sees handler failures, so a message that kills its
 * consumer every time would otherwise go round for ever. The consumers dead-letter (sealed) a message whose count
 * reached the limit before running its handler again (`redeliveryLimitReached`); past the limit the broker drops or
 * dead-letters it itself.
 */
export const REDELIVERY_LIMIT = 20;

const QUORUM = { 'x-queue-type': 'quorum' } as const;

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

/**
 * The broker's own dead-lettering out of a quorum queue (retry expiry, redelivery limit) is at-least-once: the
 * message leaves the source only once the target confirmed it, so a node lost meanwhile loses nothing. RabbitMQ
 * requires `reject-publish` overflow for it (our queues set no length limit, so it never rejects).
 */
const AT_LEAST_ONCE_DEAD_LETTERING = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } as const;

/** Declaration options of each shared queue (exported for tests and tools that declare them as the services do). */
export const QueueOptions = {
  /** Replicated as the services' queues are: a classic queue's node down, every process's declaration of it would fail. */
  deadLetter: (): Options.AssertQueue => ({ durable: true, arguments: { ...QUORUM, ...DEAD_LETTER_BOUNDS } }),
  /** Past the redelivery limit the broker dead-letters an event to the bounded dead-letter exchange. */
  events: (): Options.AssertQueue => ({
    durable: true,
    arguments: { ...QUORUM, 'x-delivery-limit': REDELIVERY_LIMIT, 'x-dead-letter-exchange': Topology.deadLetterExchange, ...AT_LEAST_ONCE_DEAD_LETTERING },
  }),
  /** Parked retries expire (per-message TTL) back into `queue`. */
  retry: (queue: string): Options.AssertQueue => ({
    durable: true,
    arguments: { ...QUORUM, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue, ...AT_LEAST_ONCE_DEAD_LETTERING },
  }),
  /**
   * No dead-letter exchange: a command may carry a message body in the clear, and what the broker dead-letters it
   * does not seal. The service dead-letters a command sealed when its redelivery count reaches the limit; one past
   * the limit (its service crashed on it even then) is dropped — its caller gave up long before.
   */
  commands: (): Options.AssertQueue => ({ durable: true, arguments: { ...QUORUM, 'x-delivery-limit': REDELIVERY_LIMIT } }),
};

/** True when the broker will not deliver `msg` again (quorum queues count deliveries in `x-delivery-count`). */
export function redeliveryLimitReached(msg: ConsumeMessage): boolean {
  return Number(msg.properties.headers?.['x-delivery-count'] ?? 0) >= REDELIVERY_LIMIT;
}

/**
 * Declares a shared queue. A queue of the same name declared with other arguments — a classic queue left by an
 * earlier release on a long-lived broker — makes RabbitMQ close the channel with 406 PRECONDITION_FAILED; the error
 * then says what to do instead of only RabbitMQ's "inequivalent arg".
 */
async function assertSharedQueue(ch: Channel, queue: string, options: Options.AssertQueue): Promise<void> {
  try {
    await ch.assertQueue(queue, options);
  } catch (err) {
    throw explainInequivalent(err, queue);
  }
}

export class QueueArgumentsMismatchError extends Error {
  constructor(
    readonly queue: string,
    cause: string,
  ) {
    super(
      `queue "${queue}" exists on the broker with other arguments than this release declares (${cause}). ` +
        `It is most likely a classic queue of an earlier release: this release declares quorum queues. On a development broker ` +
        `whose queued messages do not matter, delete it (\`rabbitmqctl delete_queue ${queue}\`, with \`-p <vhost>\` off the default vhost) and restart; on a deployment, migrate as docs/rabbitmq-migration.md describes.`,
    );
    this.name = 'QueueArgumentsMismatchError';
  }
}

function explainInequivalent(err: unknown, queue: string): unknown {
  const message = (err as Error)?.message ?? '';
  if ((err as { code?: number })?.code !== 406 || !/inequivalent arg/.test(message)) return err;
  return new QueueArgumentsMismatchError(queue, message.replace(/^.*PRECONDITION_FAILED - /, '').replace(/"$/, ''));
}

/** Exchanges and the dead-letter queue every process relies on. */
export async function declareBaseTopology(ch: Channel): Promise<void> {
  await ch.assertExchange(Topology.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(Topology.deadLetterExchange, 'fanout', { durable: true });
  // New names, because the queues the dead letters used to go to were declared without bounds, then as a classic
  // queue, and RabbitMQ answers a re-declaration with other arguments with 406. The old queues are only unbound
  // (RabbitMQ treats unbinding a missing queue or binding as done): they keep what they hold until an operator
  // deletes them (README, docs/rabbitmq-migration.md).
  await assertSharedQueue(ch, Topology.deadLetterQueue, QueueOptions.deadLetter());
  await ch.bindQueue(Topology.deadLetterQueue, Topology.deadLetterExchange, '');
  await ch.unbindQueue(Topology.legacyDeadLetterQueue, Topology.deadLetterExchange, '');
  await ch.unbindQueue(Topology.boundedClassicDeadLetterQueue, Topology.deadLetterExchange, '');
}

/**
 * A consuming service's durable event queue, bound to the routing keys it handles, plus its retry
 * queue: a failed event is parked there with a per-message TTL and dead-lettered back to the main queue.
 */
export async function declareEventQueue(ch: Channel, queue: string, routingKeys: string[]): Promise<void> {
  await assertSharedQueue(ch, queue, QueueOptions.events());
  await assertSharedQueue(ch, Topology.retryQueue(queue), QueueOptions.retry(queue));
  for (const key of routingKeys) await ch.bindQueue(queue, Topology.eventsExchange, key);
}

/** A per-process queue (the gateway's realtime fan-out): gone when the process disconnects. Classic: exclusive. */
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
  await assertSharedQueue(ch, queue, QueueOptions.commands());
}
