import { Logger } from '@nestjs/common';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { EnvelopeHeader, EVENT_ENVELOPE_CLASSES, EventEnvelope, EventName, Headers, isErrorBody, Topology } from '@wellifiy/contracts';
import { startConsuming, waitForSetup } from './amqp-connection';
import { runUnitOfWork } from './context';
import { EventSeal, restingBody, SealedEventError, WireEnvelope } from './event-seal';
import { FaultPoints, NO_FAULTS } from './fault-points';
import { PoisonMessageError } from './handler-errors';
import { IdempotencyStore } from './idempotency';
import { eventLabel, messagingMetrics } from './messaging-metrics';
import { deadLetterOptions, declareBaseTopology, declareEventQueue, declareInstanceQueue, redeliveryLimitReached } from './topology';
import { describeFieldErrors, findUnsafeInput, validateInto } from './validation';

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
  /** Where a fault-injection run may stop the process (afterHandler: the work done, not yet acked); none by default. */
  faults?: FaultPoints;
  /**
   * Opens sealed payloads (content events) before validation, and seals what this consumer parks on the broker
   * (retries, dead letters). Without it a sealed event is dead-lettered.
   */
  seal?: EventSeal;
  /**
   * Told when the queue has been declared and bound on a new broker channel (at start and after every reconnect),
   * and when that channel closes. A per-process consumer that keeps a cache current from its events learns from
   * them when events may have been missed (its exclusive queue goes with the channel's connection).
   */
  onChannel?: { bound(): void; lost(): void };
}

export interface EventMeta {
  attempt: number;
  correlationId?: string;
}

/** What one delivery was (bounded event label) and what became of it, for the metrics. */
interface Handling {
  event: string;
  outcome: 'ok' | 'duplicate' | 'retried' | 'dead_lettered' | 'unsettled';
}

/** A delivery read as an event: the envelope, or why it is dead-lettered (with its type once that is known). */
type EnvelopeRead = { envelope: EventEnvelope; type: string; reason?: undefined } | { envelope?: undefined; type?: string; reason: string };

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
  /**
   * Which broker channel the current deliveries come from. Delivery tags belong to their channel: after a
   * reconnect, acking a tag of the dead channel on the new one closes it (406 unknown delivery tag), so a
   * delivery of an older channel is not settled — the broker redelivers it, and the idempotency store
   * answers the repeat.
   */
  private generation = 0;
  private readonly metrics = { handling: messagingMetrics.eventHandling(), retries: messagingMetrics.eventRetries(), deadLetters: messagingMetrics.eventDeadLetters() };

  constructor(private readonly opts: EventConsumerOptions) {
    this.logger = new Logger(`EventConsumer:${opts.queue}`);
    this.channel = opts.connection.createChannel({
      name: opts.queue,
      confirm: true,
      setup: async (ch: ConfirmChannel) => {
        this.generation++;
        await declareBaseTopology(ch);
        if (opts.kind === 'durable') await declareEventQueue(ch, opts.queue, opts.routingKeys);
        else await declareInstanceQueue(ch, opts.queue, opts.routingKeys);
        // Prefetch here, awaited, not as consume({ prefetch }): amqp-connection-manager 4 sends that basic.qos without
        // awaiting it, so a channel closing before the broker answers (a RabbitMQ node going down) rejected a promise
        // nobody handled and ended the process. The setup runs again on every connection, before consumers resume.
        await ch.prefetch(opts.prefetch);
        if (opts.onChannel) {
          const { bound, lost } = opts.onChannel;
          ch.once('close', () => lost());
          bound();
        }
      },
    });
  }

  async start(): Promise<void> {
    await waitForSetup(this.channel, this.logger);
    await startConsuming(this.channel, this.opts.queue, (msg) => void this.onMessage(msg, this.generation), { noAck: false }, this.logger);
  }

  get busy(): number {
    return this.inFlight;
  }

  /** Stops taking deliveries; handlers already running go on and settle theirs. */
  async cancel(): Promise<void> {
    await this.channel.cancelAll();
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  /** Resolves once no handler runs (graceful shutdown: stop consuming first, then wait for this). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  }

  private async onMessage(msg: ConsumeMessage, generation: number): Promise<void> {
    this.inFlight++;
    const startedAt = process.hrtime.bigint();
    const handling: Handling = { event: 'unknown', outcome: 'ok' };
    try {
      await this.process(msg, generation, handling);
    } catch (err) {
      handling.outcome = 'unsettled';
      // Only broker failures land here (the handler's own errors are dealt with in process()).
      // The message stays unacked and is redelivered when the channel is re-established.
      this.logger.error(`could not settle message: ${(err as Error).message}`);
    } finally {
      this.inFlight--;
      this.metrics.handling.observe({ event: handling.event, outcome: handling.outcome }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    }
  }

  private ack(msg: ConsumeMessage, generation: number): void {
    if (generation !== this.generation) {
      this.logger.warn(`not acking a delivery of a closed channel (${this.opts.queue}); the broker redelivers it`);
      return;
    }
    this.channel.ack(msg);
  }

  private async process(msg: ConsumeMessage, generation: number, handling: Handling): Promise<void> {
    const deadLetter = (reason: string) => {
      handling.outcome = 'dead_lettered';
      this.metrics.deadLetters.inc({ event: handling.event, reason: 'poison' });
      return this.deadLetter(msg, generation, reason);
    };
    // Its consumers died (or lost their channel) with it in hand every time: not handled once more, kept for inspection.
    if (redeliveryLimitReached(msg)) return deadLetter(redeliveredReason(msg));
    let body: unknown;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch {
      return deadLetter('body is not valid JSON');
    }
    const read = (await this.readKnownEnvelope(body)) ?? (await this.readEnvelopeStepwise(body));
    if (read.type) handling.event = eventLabel(read.type);
    if (read.reason !== undefined) return deadLetter(read.reason);
    const { envelope, type } = read;

    const idempotency = this.opts.repeatSafe?.(type) ? undefined : this.opts.idempotency;
    const attempt = Number(msg.properties.headers?.[Headers.attempt] ?? 0) + 1;
    const correlationId = envelope.correlationId ?? (msg.properties.headers?.[Headers.correlationId] as string | undefined);
    const context = { ...(correlationId ? { correlationId } : {}), orgId: envelope.orgId };
    const work = { name: `event ${type}`, kind: 'consumer' as const, carrier: msg.properties.headers ?? {}, context, attributes: { 'messaging.destination': this.opts.queue, 'wellifiy.event_id': envelope.id, 'wellifiy.attempt': attempt } };
    // One log line per event handled (in the event's context: correlationId, orgId), at info, ids only.
    await runUnitOfWork(work, async () => {
      const started = performance.now();
      const handled = (outcome: string): void =>
        this.logger.log({ msg: 'event handled', event: type, eventId: envelope.id, queue: this.opts.queue, attempt, outcome, durationMs: Math.round(performance.now() - started) });
      try {
        if (idempotency && (await idempotency.seen(this.opts.queue, envelope.id))) {
          handling.outcome = 'duplicate';
          this.ack(msg, generation);
          handled('duplicate');
          return;
        }
        await this.opts.handle(envelope, { attempt, correlationId });
      } catch (err) {
        // A failing handler, or an idempotency store that cannot be asked: retry later, never hold the message.
        handled('failed');
        await this.onHandlerFailure(msg, generation, envelope, attempt, err, handling);
        // Settled (retry or dead letter): thrown only to mark the span as failed.
        throw new HandledFailure(err);
      }
      (this.opts.faults ?? NO_FAULTS).afterHandler();
      if (idempotency) {
        // The handler's work is done; failing to note it only means a redelivery would run it once more.
        await idempotency.remember(this.opts.queue, envelope.id).catch((err: unknown) =>
          this.logger.warn(`could not record event ${envelope.id} as processed: ${(err as Error).message}`),
        );
      }
      this.ack(msg, generation);
      handled('ok');
    }).catch((err: unknown) => {
      if (!(err instanceof HandledFailure)) throw err;
    });
  }

  /**
   * The common case in one validation: a sealed or clear event of a type this consumer handles, valid as a whole.
   * Its envelope class extends EnvelopeHeader, so passing it means the header passes too. Null when anything is
   * refused: readEnvelopeStepwise then finds the reason, step by step.
   */
  private async readKnownEnvelope(body: unknown): Promise<EnvelopeRead | null> {
    const type = (body as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !this.opts.canHandle(type)) return null;
    const cls = EVENT_ENVELOPE_CLASSES[type as EventName];
    if (!cls) return null;
    const wire = body as WireEnvelope;
    let opened: unknown = body;
    if (wire.sealed !== undefined) {
      // What the header check would see on the wire besides the opened payload: the sealed box itself.
      if (!this.opts.seal || findUnsafeInput(body)) return null;
      try {
        opened = this.opts.seal.open(wire);
      } catch {
        return null;
      }
    }
    const checked = await validateInto(cls, opened);
    return checked.errors ? null : { envelope: checked.value as EventEnvelope, type };
  }

  /** The envelope, or why it is refused: its header, then its type, its seal and its payload, in that order. */
  private async readEnvelopeStepwise(body: unknown): Promise<EnvelopeRead> {
    const header = await validateInto(EnvelopeHeader, body);
    if (header.errors) return { reason: `invalid event envelope: ${describeFieldErrors(header.errors)}` };
    const type = header.value.type;
    if (!this.opts.canHandle(type)) return { type, reason: `no handler for event type "${type}"` };

    const wire = body as WireEnvelope;
    let opened: unknown = body;
    if (wire.sealed !== undefined) {
      if (!this.opts.seal) return { type, reason: `${type} is sealed, but this consumer has no key ring` };
      try {
        opened = this.opts.seal.open(wire);
      } catch (err) {
        if (!(err instanceof SealedEventError)) throw err;
        return { type, reason: err.message };
      }
    }

    const cls = EVENT_ENVELOPE_CLASSES[type as EventName];
    const checked = cls ? await validateInto(cls, opened) : { value: opened, errors: null };
    if (checked.errors) return { type, reason: `invalid ${type} payload: ${describeFieldErrors(checked.errors)}` };
    return { envelope: checked.value as EventEnvelope, type };
  }

  private async onHandlerFailure(msg: ConsumeMessage, generation: number, envelope: EventEnvelope, attempt: number, err: unknown, handling: Handling): Promise<void> {
    const reason = errorReason(err);
    const poison = err instanceof PoisonMessageError || (isErrorBody(err) && err.code === 'VALIDATION_FAILED');
    // Instance queues have no retry queue (they vanish with the process): dead-letter at once.
    if (poison || attempt >= this.opts.maxAttempts || this.opts.kind === 'instance') {
      this.logger.warn(`event ${envelope.id} (${envelope.type}) failed on attempt ${attempt}: ${reason}; dead-lettering`);
      handling.outcome = 'dead_lettered';
      this.metrics.deadLetters.inc({ event: handling.event, reason: poison ? 'poison' : 'exhausted' });
      return this.deadLetter(msg, generation, `handler failed after ${attempt} attempt(s): ${reason}`);
    }
    const delay = Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS);
    this.logger.warn(`event ${envelope.id} (${envelope.type}) failed on attempt ${attempt}: ${reason}; retrying in ${delay} ms`);
    handling.outcome = 'retried';
    this.metrics.retries.inc({ event: handling.event });
    await this.channel.sendToQueue(Topology.retryQueue(this.opts.queue), this.resting(msg), {
      persistent: true,
      contentType: 'application/json',
      messageId: msg.properties.messageId,
      expiration: String(delay),
      // The broker's delivery count belongs to this delivery: the retry comes back as a new message, counted afresh.
      headers: { ...withoutDeliveryCount(msg.properties.headers), [Headers.attempt]: attempt },
    });
    this.ack(msg, generation);
  }

  private async deadLetter(msg: ConsumeMessage, generation: number, reason: string): Promise<void> {
    this.logger.warn(`dead-lettering a message from ${this.opts.queue}: ${reason}`);
    await this.channel.publish(Topology.deadLetterExchange, '', this.resting(msg), deadLetterOptions(msg, this.opts.queue, reason));
    this.ack(msg, generation);
  }

  /** What this consumer parks on the broker (retry or dead-letter queue), it seals (see `restingBody`). */
  private resting(msg: ConsumeMessage): Buffer {
    return this.opts.seal ? restingBody(this.opts.seal, msg.content) : msg.content;
  }
}

function withoutDeliveryCount(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const { 'x-delivery-count': _count, ...rest } = headers ?? {};
  return rest;
}

/** Why a message at the redelivery limit is dead-lettered. */
export function redeliveredReason(msg: ConsumeMessage): string {
  return `delivered ${Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1} times without being settled (its consumer crashed or lost its channel each time)`;
}

/** A handler's failure already dealt with (retried or dead-lettered). */
class HandledFailure extends Error {
  constructor(cause: unknown) {
    super('handler failed');
    this.name = (cause as Error)?.name ?? 'Error';
  }
}

export function errorReason(err: unknown): string {
  if (isErrorBody(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
