import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { lastValueFrom } from 'rxjs';
import {
  allowedCallers, AmqpProcess, carriesActor, DomainError, ErrorBody, ErrorCode, EventEnvelope, Headers, isErrorBody, RPC_REQUEST_CLASSES, RpcName, ServiceName, Topology,
} from '@wellifiy/contracts';
import { connectAmqp, startConsuming, waitForSetup } from './amqp-connection';
import { runUnitOfWork } from './context';
import { EventConsumer, EventMeta, redeliveredReason } from './event-consumer';
import { EventSeal, restingBody } from './event-seal';
import { FaultPoints } from './fault-points';
import { IdempotencyStore, REPEAT_SAFE } from './idempotency';
import { commandLabel, messagingMetrics, outcomeOf } from './messaging-metrics';
import { deadLetterOptions, declareBaseTopology, declareCommandQueue, redeliveryLimitReached } from './topology';
import { describeFieldErrors, validateInto } from './validation';

export interface AmqpServerOptions {
  /** The broker's URL, or one per node of a cluster. */
  url: string | readonly string[];
  service: ServiceName;
  prefetch: number;
  maxEventAttempts: number;
  idempotency?: IdempotencyStore;
  /**
   * The broker user of every process kind (AMQP_USERS). A command is run only when RabbitMQ's validated `user-id`
   * is the user of a kind allowed to send it: the gateway for every command that carries an actor.
   */
  users: Readonly<Record<AmqpProcess, string>>;
  /** Where a fault-injection run may stop the process (EventConsumerOptions.faults); none by default. */
  faults?: FaultPoints;
  /** Opens sealed content events; seals retries and dead letters (EventConsumerOptions.seal). */
  seal?: EventSeal;
}

export interface AmqpCallMeta {
  correlationId?: string;
  attempt?: number;
}

/** Context handed to handlers (`@Ctx()`): the correlation id and, for events, the attempt number. */
export class AmqpContext extends BaseRpcContext<[AmqpCallMeta]> {
  get correlationId(): string | undefined {
    return this.args[0].correlationId;
  }
}

/**
 * Nest transport over RabbitMQ. `@EventPattern(Events.X)` handlers are bound to the service's
 * durable event queue (one copy per service); `@MessagePattern(Rpc.X)` handlers answer on the
 * service's command queue. Every payload is validated against its contract class before a handler runs.
 */
export class AmqpServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('AmqpServer');
  /** `rpc_server_duration_seconds{command,outcome}`: validation and handler, per command this service answers. */
  private readonly durations = messagingMetrics.rpcServer();
  private connection?: AmqpConnectionManager;
  private events?: EventConsumer;
  private commands?: ChannelWrapper;
  /** Broker channel of the command consumer (see EventConsumer: tags of a dead channel are never acked). */
  private commandGeneration = 0;
  private commandsInFlight = 0;

  constructor(private readonly options: AmqpServerOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.start().then(() => callback(), (err: unknown) => callback(err));
  }

  on(): void {
    throw new Error('AmqpServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  get connected(): boolean {
    return this.connection?.isConnected() ?? false;
  }

  private async start(): Promise<void> {
    const { service } = this.options;
    this.connection = connectAmqp(this.options.url, service);
    const eventTypes: string[] = [];
    const rpcNames: string[] = [];
    for (const [pattern, handler] of this.getHandlers()) (handler.isEventHandler ? eventTypes : rpcNames).push(pattern);

    if (eventTypes.length) {
      this.events = new EventConsumer({
        connection: this.connection,
        queue: Topology.eventQueue(service),
        routingKeys: eventTypes,
        kind: 'durable',
        prefetch: this.options.prefetch,
        maxAttempts: this.options.maxEventAttempts,
        idempotency: this.options.idempotency,
        repeatSafe: (type) => this.handlerOf(type)?.extras?.[REPEAT_SAFE] === true,
        faults: this.options.faults,
        seal: this.options.seal,
        canHandle: (type) => eventTypes.includes(type),
        handle: (envelope, meta) => this.handleEvent$(envelope, meta),
      });
      await this.events.start();
    }
    if (rpcNames.length) {
      const queue = Topology.commandQueue(service);
      this.commands = this.connection.createChannel({
        name: queue,
        confirm: true,
        setup: async (ch: ConfirmChannel) => {
          this.commandGeneration++;
          await declareBaseTopology(ch);
          await declareCommandQueue(ch, queue);
          // Prefetch in the setup, not as consume({ prefetch }): see EventConsumer.
          await ch.prefetch(this.options.prefetch);
        },
      });
      await waitForSetup(this.commands, this.log);
      await startConsuming(this.commands, queue, (msg) => void this.onCommand(msg, this.commandGeneration), { noAck: false }, this.log);
    }
    this.log.log(`${service}: ${eventTypes.length} event handler(s), ${rpcNames.length} command handler(s)`);
  }

  /**
   * The handler of an event type or command name, by its exact name. Nest's getHandlerByPattern first tries the
   * name as JSON, and a name like `messages.send` throws a SyntaxError (with its stack) on every call.
   */
  private handlerOf(pattern: string): MessageHandler | undefined {
    return this.getHandlers().get(pattern);
  }

  private async handleEvent$(envelope: EventEnvelope, meta: EventMeta): Promise<void> {
    const handler = this.handlerOf(envelope.type);
    if (!handler) throw new DomainError(ErrorCode.Internal, `no handler for ${envelope.type}`);
    await this.invoke(handler, envelope, { correlationId: meta.correlationId, attempt: meta.attempt });
  }

  private async invoke(handler: MessageHandler, data: unknown, meta: AmqpCallMeta): Promise<unknown> {
    const result$ = this.transformToObservable(await handler(data, new AmqpContext([meta])));
    return lastValueFrom(result$, { defaultValue: undefined });
  }

  private async onCommand(msg: ConsumeMessage, generation: number): Promise<void> {
    const ch = this.commands;
    if (!ch) return;
    this.commandsInFlight++;
    try {
      const deadline = Number(msg.properties.headers?.[Headers.deadline]);
      if (deadline && Date.now() > deadline) {
        // Its caller timed out (e.g. while this service was down): nobody waits for the answer, so the work is not done.
        if (generation === this.commandGeneration) ch.ack(msg);
        return;
      }
      if (redeliveryLimitReached(msg)) {
        // The service crashed with it in hand every time (see REDELIVERY_LIMIT): kept, sealed, for inspection; not run.
        await this.deadLetterCommand(ch, msg, redeliveredReason(msg));
        if (generation === this.commandGeneration) ch.ack(msg);
        return;
      }
      const { reply, poison } = await this.answer(msg);
      const { replyTo, correlationId } = msg.properties;
      if (replyTo) {
        await ch.sendToQueue(replyTo as string, Buffer.from(JSON.stringify(reply)), {
          correlationId: correlationId as string,
          contentType: 'application/json',
        });
      }
      // A command no caller could have meant (not JSON, unknown name) is kept, with the reason, for inspection.
      if (poison) await this.deadLetterCommand(ch, msg, poison);
      if (generation === this.commandGeneration) ch.ack(msg);
    } catch (err) {
      this.log.error(`could not reply to a command: ${(err as Error).message}`);
    } finally {
      this.commandsInFlight--;
    }
  }

  private async deadLetterCommand(ch: ChannelWrapper, msg: ConsumeMessage, reason: string): Promise<void> {
    this.log.warn(`dead-lettering a command from ${Topology.commandQueue(this.options.service)}: ${reason}`);
    // A command may carry a message body: what rests in the dead-letter queue is sealed.
    const content = this.options.seal ? restingBody(this.options.seal, msg.content) : msg.content;
    await ch.publish(Topology.deadLetterExchange, '', content, deadLetterOptions(msg, Topology.commandQueue(this.options.service), reason));
  }

  private async answer(msg: ConsumeMessage): Promise<{ reply: { ok: true; data: unknown } | { ok: false; error: ErrorBody }; poison?: string }> {
    let request: { pattern?: unknown; data?: unknown };
    try {
      request = JSON.parse(msg.content.toString('utf8')) as typeof request;
    } catch {
      return { reply: fail(ErrorCode.ValidationFailed, 'command body is not valid JSON'), poison: 'command body is not valid JSON' };
    }
    const pattern = typeof request?.pattern === 'string' ? request.pattern : '';
    const handler = pattern ? this.handlerOf(pattern) : undefined;
    const cls = RPC_REQUEST_CLASSES[pattern as RpcName];
    if (!handler || !cls) return { reply: fail(ErrorCode.UnknownRpc, `unknown command "${pattern}"`), poison: `unknown command "${pattern}"` };
    const refused = this.refusedSender(pattern as RpcName, msg);
    if (refused) return { reply: fail(ErrorCode.RpcCallerNotAllowed, refused), poison: refused };
    const startedAt = process.hrtime.bigint();
    const reply = await this.run(handler, cls, request.data, msg, pattern);
    this.durations.observe({ command: commandLabel(pattern), outcome: reply.ok ? 'ok' : outcomeOf(reply.error) }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    return { reply };
  }

  /**
   * Why the sender may not send this command, if it may not. `user-id` is set by the caller's RpcClient and
   * validated by RabbitMQ (a publish whose user-id is not the connection's user is refused), so it names the
   * broker user that really sent the command; without it the sender is unknown and refused.
   */
  private refusedSender(pattern: RpcName, msg: ConsumeMessage): string | undefined {
    const sender = msg.properties.userId as string | undefined;
    const allowed = allowedCallers(pattern);
    if (sender && allowed.some((kind) => this.options.users[kind] === sender)) return undefined;
    const from = sender ? `broker user "${sender.slice(0, 64)}"` : 'a sender without user-id';
    return carriesActor(pattern)
      ? `${pattern} carries an actor and is accepted only from the gateway's broker user; it came from ${from}`
      : `${pattern} is accepted only from ${allowed.join(', ')}; it came from ${from}`;
  }

  private async run(handler: MessageHandler, cls: unknown, data: unknown, msg: ConsumeMessage, pattern: string): Promise<{ ok: true; data: unknown } | { ok: false; error: ErrorBody }> {
    const checked = await validateInto(cls as new () => object, data ?? {}, { forbidUnknown: true });
    if (checked.errors) return fail(ErrorCode.ValidationFailed, describeFieldErrors(checked.errors), checked.errors);
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const correlationId = headers[Headers.correlationId] as string | undefined;
    const orgId = orgIdOf(checked.value);
    const context = { ...(correlationId ? { correlationId } : {}), ...(orgId ? { orgId } : {}) };
    // One log line per command handled, in its context (correlationId, orgId), at info: names, codes and timings only.
    return runUnitOfWork({ name: `rpc ${pattern}`, kind: 'server', carrier: headers, context, attributes: { 'rpc.method': pattern } }, async (span) => {
      const started = performance.now();
      let reply: { ok: true; data: unknown } | { ok: false; error: ErrorBody };
      try {
        const data = await this.invoke(handler, checked.value, { correlationId });
        reply = { ok: true, data: data ?? null };
      } catch (err) {
        reply = { ok: false, error: toErrorBody(err, this.log, correlationId) };
        span.setAttribute('rpc.error_code', reply.error.code);
      }
      this.log.log({ msg: 'rpc handled', rpc: pattern, outcome: reply.ok ? 'ok' : reply.error.code, durationMs: Math.round(performance.now() - started) });
      return reply;
    });
  }

  /** Graceful: stop taking work, let handlers that run finish (and settle their messages), then disconnect. */
  /** What the transport still has in hand (for the shutdown watch). */
  inFlight(): string {
    return `${this.commandsInFlight} command(s) and ${this.events?.busy ?? 0} event(s) in flight`;
  }

  async close(): Promise<void> {
    await Promise.all([this.events?.cancel(), this.commands?.cancelAll()]).catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (this.commandsInFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await this.events?.drain(Math.max(0, deadline - Date.now()));
    await this.events?.close();
    await this.commands?.close();
    await this.connection?.close();
  }
}

/** The organisation a command is about: its actor's, or the one it names. */
function orgIdOf(data: unknown): string | undefined {
  const d = data as { actor?: { orgId?: unknown }; orgId?: unknown } | null;
  const org = d?.actor?.orgId ?? d?.orgId;
  return typeof org === 'string' ? org : undefined;
}

function fail(code: ErrorCode, message: string, details?: unknown): { ok: false; error: ErrorBody } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

/** Driver errors that mean the database cannot be reached right now (matched by name: this lib does not load the driver). */
const DATABASE_UNAVAILABLE = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoPoolClearedError', 'MongoTopologyClosedError',
]);

/**
 * Domain errors keep their code; a database that cannot be reached is SERVICE_UNAVAILABLE (the caller may retry);
 * anything else is logged here and reported as INTERNAL without details.
 */
export function toErrorBody(err: unknown, logger: Logger, correlationId?: string): ErrorBody {
  if (err instanceof DomainError) return err.toBody();
  if (isErrorBody(err)) return err;
  if (err instanceof Error && DATABASE_UNAVAILABLE.has(err.name)) {
    logger.warn(`database unavailable [correlationId=${correlationId ?? '-'}]: ${err.name}`);
    return { code: ErrorCode.ServiceUnavailable, message: 'the database is unavailable; retry shortly' };
  }
  logger.error(`unexpected error [correlationId=${correlationId ?? '-'}]: ${(err as Error)?.stack ?? String(err)}`);
  return { code: ErrorCode.Internal, message: 'internal error' };
}
