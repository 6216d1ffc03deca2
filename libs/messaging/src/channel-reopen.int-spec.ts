import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { connect } from 'amqplib';
import { EventEnvelope, Topology } from '@wellifiy/contracts';
import { AmqpProbe, anEnvelope, expectEventually, testInfra, uniqueName, uniqueRoutingKey } from '@wellifiy/testing';
import { connectAmqp } from './amqp-connection';
import { EventConsumer } from './event-consumer';

/**
 * amqp-connection-manager opens a channel again only on a new connection (jwalton/node-amqp-connection-manager#347).
 * A channel the broker closes while the connection stays up — its queue deleted, an acknowledgement timeout, an unknown
 * delivery tag — still comes back: the wrapper leaves the closed channel's 'error' unhandled, so amqplib ends the whole
 * connection and the wrapper reconnects and sets every channel up again. These tests close a channel from the broker's
 * side and expect the work to carry on, so an upgrade that changes that is caught here.
 */
describe('a channel the broker closes while the connection stays up (real RabbitMQ)', () => {
  let connection: AmqpConnectionManager;
  let probe: AmqpProbe;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    connection = connectAmqp(testInfra.amqpUrl, uniqueName('it-reopen'));
    probe = await AmqpProbe.connect(testInfra.amqpUrl);
  });

  afterAll(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    await probe?.close();
    await connection?.close();
  });

  it('a consumer whose queue is deleted under it comes back with the queue and handles the next event', async () => {
    const queue = uniqueName('it.reopen.q');
    const routingKey = uniqueRoutingKey();
    probe.deleteOnClose(queue, Topology.retryQueue(queue));
    const handled: EventEnvelope[] = [];
    const consumer = new EventConsumer({
      connection,
      queue,
      routingKeys: [routingKey],
      kind: 'durable',
      prefetch: 5,
      maxAttempts: 3,
      canHandle: (type) => type === routingKey,
      handle: async (envelope) => void handled.push(envelope),
    });
    closers.push(() => consumer.close());
    await consumer.start();

    const first = anEnvelope(routingKey, { n: 1 });
    probe.publishJson(Topology.eventsExchange, routingKey, first, { messageId: first.id });
    await expectEventually(() => expect(handled.map((e) => e.id)).toEqual([first.id]));

    // The broker cancels the consumer; consuming again answers 404 and closes the channel (and only it).
    const admin = await connect(testInfra.amqpUrl);
    const ch = await admin.createChannel();
    await ch.deleteQueue(queue);
    await admin.close();

    // Events published before the queue is declared again have nowhere to go: publish until one arrives.
    const second = anEnvelope(routingKey, { n: 2 });
    await expectEventually(
      () => {
        if (!handled.some((e) => e.id === second.id)) {
          probe.publishJson(Topology.eventsExchange, routingKey, second, { messageId: second.id });
          throw new Error('the consumer has not come back');
        }
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(connection.isConnected()).toBe(true);
  });

  it('a publisher channel closed by the broker (an unknown delivery tag acked on it) is opened again and confirms the next publish', async () => {
    let raw: ConfirmChannel | undefined;
    let setups = 0;
    const channel = connection.createChannel({
      name: uniqueName('it-reopen-pub'),
      confirm: true,
      setup: async (ch: ConfirmChannel) => {
        raw = ch;
        setups++;
      },
    });
    closers.push(() => channel.close());
    await channel.waitForConnect();
    expect(setups).toBe(1);
    // PRECONDITION_FAILED - unknown delivery tag: the broker closes this channel (and only it).
    if (!raw) throw new Error('the setup did not run');
    raw.ack({ fields: { deliveryTag: 999 } } as never);
    await expectEventually(() => expect(setups).toBe(2), { timeoutMs: 10_000 });

    const queue = uniqueName('it.reopen.pub.q');
    probe.deleteOnClose(queue);
    await channel.assertQueue(queue, { durable: false });
    await channel.sendToQueue(queue, Buffer.from('after the close'));
    await expectEventually(async () => expect(await probe.readyCount(queue)).toBe(1));
  });
});
