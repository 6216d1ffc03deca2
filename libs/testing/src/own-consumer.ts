import { Topology } from '@wellifiy/contracts';
import { AmqpProbe } from './amqp-probe';
import { uniqueRoutingKey } from './builders';
import { expectEventually } from './eventually';
import { uniqueName } from './infra';

/**
 * What these helpers need of a consumer: `EventConsumer` of @wellifiy/messaging, described rather than
 * imported, because messaging's own tests use this library and an import back would be a dependency cycle.
 */
export interface TestConsumer {
  readonly busy: number;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A started consumer, its own queue and routing key, and every call its handler received. */
export interface ConsumerHarness<C extends TestConsumer, Call> {
  consumer: C;
  queue: string;
  routingKey: string;
  calls: Call[];
}

/** What `startOwnConsumer` hands to the consumer it starts. */
export interface OwnQueue<Call> {
  /** Spread into the consumer's options: a durable queue of its own, bound to a routing key of its own. */
  queueOptions: { queue: string; routingKeys: string[]; kind: 'durable' };
  routingKey: string;
  /** The consumer's handler passes what it received here. */
  record: (call: Call) => void;
}

/**
 * Starts the consumer `build` makes on a durable queue of its own; the probe deletes the queue and its retry
 * queue when it closes, and `started` collects the consumer for the test to close.
 */
export async function startOwnConsumer<C extends TestConsumer, Call>(
  probe: AmqpProbe,
  started: C[],
  build: (own: OwnQueue<Call>) => C,
): Promise<ConsumerHarness<C, Call>> {
  const queue = uniqueName('it.q');
  const routingKey = uniqueRoutingKey();
  probe.deleteOnClose(queue, Topology.retryQueue(queue));
  const calls: Call[] = [];
  const consumer = build({ queueOptions: { queue, routingKeys: [routingKey], kind: 'durable' }, routingKey, record: (call) => void calls.push(call) });
  started.push(consumer);
  await consumer.start();
  return { consumer, queue, routingKey, calls };
}

/** Closing the channel requeues whatever is unacked: a queue that is empty afterwards had everything acked. */
export async function expectAllAcked(probe: AmqpProbe, h: { consumer: TestConsumer; queue: string }): Promise<void> {
  await expectEventually(() => expect(h.consumer.busy).toBe(0));
  await h.consumer.close();
  await expectEventually(async () => expect(await probe.readyCount(h.queue)).toBe(0), { timeoutMs: 3000 });
}
