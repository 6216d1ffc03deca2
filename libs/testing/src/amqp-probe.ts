import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConsumeMessage, type Options } from 'amqplib';

/** A message a probe queue received, with its body parsed when it is JSON. */
export interface CapturedMessage {
  content: string;
  body: unknown;
  messageId?: string;
  routingKey: string;
  headers: Record<string, unknown>;
}

/** A private, exclusive queue that records everything routed to it (gone when the probe closes). */
export class CaptureQueue {
  readonly messages: CapturedMessage[] = [];

  constructor(readonly queue: string) {}

  /** Messages whose AMQP messageId is `id`. */
  byMessageId(id: string): CapturedMessage[] {
    return this.messages.filter((m) => m.messageId === id);
  }

  record(msg: ConsumeMessage): void {
    const content = msg.content.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(content);
    } catch {
      body = undefined;
    }
    this.messages.push({
      content,
      body,
      messageId: msg.properties.messageId as string | undefined,
      routingKey: msg.fields.routingKey,
      headers: (msg.properties.headers ?? {}) as Record<string, unknown>,
    });
  }
}

/**
 * A plain amqplib connection for integration tests: publishes like a non-Nest publisher would, and
 * observes exchanges through exclusive queues of its own — never the services' or the shared
 * dead-letter queue, so other tiers and a running dev system are unaffected.
 */
export class AmqpProbe {
  private readonly cleanups: string[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async connect(url: string): Promise<AmqpProbe> {
    const connection = await connect(url);
    const channel = await connection.createChannel();
    return new AmqpProbe(connection, channel);
  }

  /** Records what `exchange` routes with any of `routingKeys` (topic) or everything (fanout: pass ['']). */
  async capture(exchange: string, exchangeType: 'topic' | 'fanout', routingKeys: string[]): Promise<CaptureQueue> {
    await this.channel.assertExchange(exchange, exchangeType, { durable: true });
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of routingKeys) await this.channel.bindQueue(queue, exchange, key);
    const capture = new CaptureQueue(queue);
    await this.channel.consume(queue, (msg) => msg && capture.record(msg), { noAck: true });
    return capture;
  }

  /** Everything dead-lettered anywhere on the broker from now on (filter by messageId). */
  captureDeadLetters(): Promise<CaptureQueue> {
    return this.capture('wellifiy.dead-letter', 'fanout', ['']);
  }

  publishJson(exchange: string, routingKey: string, body: unknown, opts: Options.Publish = {}): string {
    const messageId = opts.messageId ?? randomUUID();
    this.channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), {
      contentType: 'application/json',
      persistent: true,
      ...opts,
      messageId,
    });
    return messageId;
  }

  /** Straight to a queue, bypassing the exchange; `raw` is sent as-is (e.g. a body that is not JSON). */
  sendToQueue(queue: string, content: string | Buffer, opts: Options.Publish = {}): string {
    const messageId = opts.messageId ?? randomUUID();
    this.channel.sendToQueue(queue, Buffer.isBuffer(content) ? content : Buffer.from(content), {
      contentType: 'application/json',
      persistent: true,
      ...opts,
      messageId,
    });
    return messageId;
  }

  /** Ready (not delivered, or requeued) messages in a queue. */
  async readyCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Deletes `queue` when the probe closes (durable queues a test created under a unique name). */
  deleteOnClose(...queues: string[]): void {
    this.cleanups.push(...queues);
  }

  async close(): Promise<void> {
    for (const q of this.cleanups) await this.channel.deleteQueue(q).catch(() => undefined);
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
