import amqp, { ChannelModel } from 'amqplib';
import { KeyRing } from '@wellifiy/crypto';
import { EventSeal, WireEnvelope } from '@wellifiy/messaging';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS } from '@wellifiy/testing';
import { sleep } from './infra';

/** The suite's own durable queue on the events exchange: survives a broker or node kill like the services' queues do. */
export const TAP_QUEUE = 'faults.tap.message-created';

/**
 * Records the id of every message a `message.created` event announced on the broker, reconnecting
 * whenever the broker goes away. It proves the outbox relay published each acknowledged message, which
 * the clients alone cannot see (their catch-up reads the database).
 */
export class EventTap {
  readonly announced = new Set<string>();
  private conn?: ChannelModel;
  private closed = false;
  /** message.created travels sealed: the tap opens it with the local systems' key ring, as a consumer would. */
  private readonly seal = new EventSeal(KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID));

  private attempt = 0;

  /** `urls`: one per node of the suite's cluster; each reconnect tries the next, so a dead node is skipped. */
  constructor(private readonly urls: string[]) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      try {
        const conn = await amqp.connect(this.urls[this.attempt++ % this.urls.length]);
        conn.on('error', () => undefined);
        conn.on('close', () => {
          if (!this.closed) void sleep(500).then(() => this.connect());
        });
        const ch = await conn.createChannel();
        await ch.assertExchange('wellifiy.events', 'topic', { durable: true });
        // A quorum queue, as the services' are: it keeps what it holds while one node of the cluster is down.
        await ch.assertQueue(TAP_QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
        await ch.bindQueue(TAP_QUEUE, 'wellifiy.events', 'message.created');
        await ch.consume(TAP_QUEUE, (msg) => {
          if (!msg) return;
          try {
            const envelope = this.seal.open(JSON.parse(msg.content.toString('utf8')) as WireEnvelope);
            const id = (envelope.data as { message?: { id?: string } } | undefined)?.message?.id;
            if (id) this.announced.add(id);
          } catch {
            // not ours to judge: the services' consumers dead-letter what is malformed
          }
          ch.ack(msg);
        });
        this.conn = conn;
        return;
      } catch {
        await sleep(500);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conn?.close().catch(() => undefined);
  }
}
