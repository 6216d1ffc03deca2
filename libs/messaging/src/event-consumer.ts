import { Logger } from '@nestjs/common';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { EnvelopeHeader, EVENT_ENVELOPE_CLASSES, EventEnvelope, EventName, Headers, isErrorBody, Topology } from '@wellifiy/contracts';
import { PoisonMessageError } from './handler-errors';
import { IdempotencyStore } from './idempotency';
import { declareBaseTopology, declareEventQueue, declareInstanceQueue } from './topology';
import { describeFieldErrors, validateInto } from './validation';

export interface EventConsumerOptions {
  connection: AmqpConnectionManager;
  /** Queue name; also the consumer's name in the idempotency store. */
  queue: string;
  routingKeys: string[];
  /** durable: a service's shared queue; instance: this process only (gateway realtime fan-out). */
  kind: 'durable' | 'instance';
  prefetch: number;
  maxAttempts: number;
  canHandle(type: string): boolean;
  handle(envelope: EventEnvelope, meta: EventMeta): Promise<void>;
  idempotency?: IdempotencyStore;
  /**
   * Event types whose handler is safe to run twice by construction (e.g. it only schedules a job under a
   * deterministic id, or applies a monotonic $max): the idempotency store is not asked for them, which saves
   * two database round-trips per event.
   */
  repeatSafe?(type: string): boolean;
}

export interface EventMeta {
  attempt: number;
  correlationId?: string;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * Consumes one queue with manual acks. A message is acknowledged only after its handler succeeded,
 * was retried to exhaustion, or was judged poison — in the last two cases after it was republished
 * to the dead-letter queue with the reason. Nothing is left unacked holding a prefetch slot.
 */
export class EventConsumer {
  private readonly logger: Logger;
  private readonly channel: ChannelWrapper;
  private inFlight = 0;

  constructor(private readonly opts: EventConsumerOptions) {
    this.logger = new Logger(`EventConsumer:${opts.queue}`);
    this.channel = opts.connection.createChannel({
      name: opts.queue,
      confirm: true,
      setup: async (ch: ConfirmChannel) => {
        await declareBaseTopology(ch);
        if (opts.kind === 'durable') await declareEventQueue(ch, opts.queue, opts.routingKeys);
        else await declareInstanceQueue(ch, opts.queue, opts.routingKeys);
      },
    });
  }

  async start(): Promise<void> {
    await this.channel.waitForConnect();
    await this.channel.consume(this.opts.queue, (msg) => void this.onMessage(msg), {
      noAck: false,
      prefetch: this.opts.prefetch,
    });
  }

  get busy(): number {
    return this.inFlight;
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private async onMessage(msg: ConsumeMessage): Promise<void> {
    this.inFlight++;
    try {
      await this.process(msg);
    } catch (err) {
      // Only broker failures land here (the handler's own errors are dealt with in process()).
      // The message stays unacked and is redelivered when the channel is re-established.
      this.logger.error(`could not settle message: ${(err as Error).message}`);
    } finally {
      this.inFlight--;
    }
  }

  private async process(msg: ConsumeMessage): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch {
      return this.deadLetter(msg, 'body is not valid JSON');
    }
    const header = await validateInto(EnvelopeHeader, body);
    if (header.errors) return this.deadLetter(msg, `invalid event envelope: ${describeFieldErrors(header.errors)}`);
    const type = header.value.type;
    if (!this.opts.canHandle(type)) return this.deadLetter(msg, `no handler for event type "${type}"`);

    const cls = EVENT_ENVELOPE_CLASSES[type as EventName];
    const checked = cls ? await validateInto(cls, body) : { value: body, errors: null };
    if (checked.errors) return this.deadLetter(msg, `invalid ${type} payload: ${describeFieldErrors(checked.errors)}`);
    const envelope = checked.value as EventEnvelope;

    const idempotency = this.opts.repeatSafe?.(type) ? undefined : this.opts.idempotency;
    const attempt = Number(msg.properties.headers?.[Headers.attempt] ?? 0) + 1;
    const correlationId = envelope.correlationId ?? (msg.properties.headers?.[Headers.correlationId] as string | undefined);
    try {
      if (idempotency && (await idempotency.seen(this.opts.queue, envelope.id))) {
        this.channel.ack(msg);
        return;
      }
      await this.opts.handle(envelope, { attempt, correlationId });
    } catch (err) {
      // A failing handler, or an idempotency store that cannot be asked: retry later, never hold the message.
      return this.onHandlerFailure(msg, envelope, attempt, err);
    }
    if (idempotency) {
      // The handler's work is done; failing to note it only means a redelivery would run it once more.
      await idempotency.remember(this.opts.queue, envelope.id).catch((err: unknown) =>
        this.logger.warn(`could not record event ${envelope.id} as processed: ${(err as Error).message}`),
      );
    }
    this.channel.ack(msg);
  }

  private async onHandlerFailure(msg: ConsumeMessage, envelope: EventEnvelope, attempt: number, err: unknown): Promise<void> {
    const reason = errorReason(err);
    const poison = err instanceof PoisonMessageError || (isErrorBody(err) && err.code === 'VALIDATION_FAILED');
    // Instance queues have no retry queue (they vanish with the process): dead-letter at once.
    if (poison || attempt >= this.opts.maxAttempts || this.opts.kind === 'instance') {
      this.logger.warn(`event ${envelope.id} (${envelope.type}) failed on attempt ${attempt}: ${reason}; dead-lettering`);
      return this.deadLetter(msg, `handler failed after ${attempt} attempt(s): ${reason}`);
    }
    const delay = Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS);
    this.logger.warn(`event ${envelope.id} (${envelope.type}) failed on attempt ${attempt}: ${reason}; retrying in ${delay} ms`);
    await this.channel.sendToQueue(Topology.retryQueue(this.opts.queue), msg.content, {
      persistent: true,
      contentType: 'application/json',
      messageId: msg.properties.messageId,
      expiration: String(delay),
      headers: { ...(msg.properties.headers ?? {}), [Headers.attempt]: attempt },
    });
    this.channel.ack(msg);
  }

  private async deadLetter(msg: ConsumeMessage, reason: string): Promise<void> {
    this.logger.warn(`dead-lettering a message from ${this.opts.queue}: ${reason}`);
    await this.channel.publish(Topology.deadLetterExchange, '', msg.content, {
      persistent: true,
      contentType: msg.properties.contentType,
      messageId: msg.properties.messageId,
      headers: {
        ...(msg.properties.headers ?? {}),
        [Headers.deadLetterReason]: reason,
        [Headers.deadLetterQueue]: this.opts.queue,
        'x-original-routing-key': msg.fields.routingKey,
      },
    });
    this.channel.ack(msg);
  }
}

export function errorReason(err: unknown): string {
  if (isErrorBody(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
