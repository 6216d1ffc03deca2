import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import {
  DomainError, ErrorCode, Headers, isErrorBody, RpcName, RpcRequest, RpcResult, serviceOfRpc, Topology,
} from '@wellifiy/contracts';
import { outgoingHeaders } from './context';
import { commandLabel, messagingMetrics, outcomeOf } from './messaging-metrics';

const REPLY_TO = 'amq.rabbitmq.reply-to';

export type RpcReply<T = unknown> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

interface Pending {
  service: string;
  sentAt: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface RpcCallOptions {
  timeoutMs?: number;
  correlationId?: string;
}

export interface RpcClientLimits {
  /**
   * Requests this client may have outstanding at one service; the next is refused at once (OVERLOADED, with a
   * retry hint) instead of queueing behind them towards the timeout. Unset: no limit.
   */
  maxInFlightPerService?: number;
}

/**
 * Tells the client that a service is known to be down (no instance consumes its command queue), with the wait to
 * suggest; `undefined` when it may be up. A request for a down service is refused at once (SERVICE_UNAVAILABLE)
 * instead of waiting in the queue for its timeout.
 */
export type ServiceAvailability = (service: string) => Promise<{ retryAfterMs: number } | undefined>;

/** Bounds of the retry hint given with an OVERLOADED refusal. */
export const RETRY_HINT_MIN_MS = 50;
export const RETRY_HINT_MAX_MS = 5000;
/** Weight of the newest reply in the per-service latency average the retry hint comes from. */
const LATENCY_EWMA_WEIGHT = 0.2;

/** What one service looks like from this client: requests outstanding and how long its replies take. */
interface ServiceLoad {
  inFlight: number;
  latencyMs: number;
}

/**
 * Request/reply over RabbitMQ using direct reply-to: requests go to the owning service's durable
 * command queue and carry the caller's deadline, so a late service never works on abandoned calls.
 * Every request carries `user-id` = this connection's broker user. RabbitMQ refuses a publish whose user-id is
 * not the connection's, so the service can trust it to tell the gateway (actor-bearing commands) from other callers.
 */
export class RpcClient {
  private readonly logger = new Logger('RpcClient');
  private readonly channel: ChannelWrapper;
  private readonly pending = new Map<string, Pending>();
  private readonly load = new Map<string, ServiceLoad>();
  private availability?: ServiceAvailability;
  private readonly durations = messagingMetrics.rpcClient();

  constructor(
    private readonly connection: AmqpConnectionManager,
    name: string,
    private readonly defaultTimeoutMs: number,
    /** The broker user of `connection` (see amqpUserOf). */
    private readonly userId: string,
    private readonly limits: RpcClientLimits = {},
  ) {
    this.channel = connection.createChannel({
      name: `${name}-rpc`,
      confirm: false,
      setup: async (ch: Channel) => {
        // Command queues are declared by their services only: a caller's broker user may not configure them
        // (least privilege). A request no queue takes (the service never started) comes back (mandatory) at once.
        ch.on('return', (msg: ConsumeMessage) => this.onReturned(msg));
        // Direct reply-to needs a no-ack consumer on the same channel before the first request.
        await ch.consume(REPLY_TO, (msg) => msg && this.onReply(msg), { noAck: true });
      },
    });
  }

  async waitForConnect(): Promise<void> {
    await this.channel.waitForConnect();
  }

  /** See ServiceAvailability (the gateway sets it; without it every request is sent). */
  setAvailability(availability: ServiceAvailability | undefined): void {
    this.availability = availability;
  }

  /** Every call is timed into `rpc_client_duration_seconds{command,outcome}`. */
  async send<K extends RpcName>(pattern: K, data: RpcRequest<K>, opts: RpcCallOptions = {}): Promise<RpcResult<K>> {
    const startedAt = process.hrtime.bigint();
    const observe = (err?: unknown) =>
      this.durations.observe({ command: commandLabel(pattern), outcome: outcomeOf(err) }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    try {
      const result = await this.request(pattern, data, opts);
      observe();
      return result;
    } catch (err) {
      observe(err);
      throw err;
    }
  }

  private async request<K extends RpcName>(pattern: K, data: RpcRequest<K>, opts: RpcCallOptions): Promise<RpcResult<K>> {
    const service = serviceOfRpc(pattern);
    if (!service) throw new DomainError(ErrorCode.UnknownRpc, `no service owns ${pattern}`);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    if (!this.connection.isConnected()) {
      throw new DomainError(ErrorCode.ServiceUnavailable, `cannot reach the ${service} service: the message broker is unavailable`);
    }
    const down = this.availability && (await this.availability(service));
    if (down) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `the ${service} service is unavailable (no instance is running); retry after ${Math.ceil(down.retryAfterMs / 1000)} s`,
        { retryAfterMs: down.retryAfterMs },
      );
    }
    const load = this.loadOf(service);
    const max = this.limits.maxInFlightPerService;
    if (max !== undefined && load.inFlight >= max) {
      const retryAfterMs = Math.round(Math.min(RETRY_HINT_MAX_MS, Math.max(RETRY_HINT_MIN_MS, load.latencyMs)));
      throw new DomainError(
        ErrorCode.Overloaded,
        `the ${service} service is at capacity (${max} requests in flight); retry after ${retryAfterMs} ms`,
        { retryAfterMs },
      );
    }
    const id = randomUUID();
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.settle(id, true)) reject(new DomainError(ErrorCode.RpcTimeout, `the ${service} service did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { service, sentAt: Date.now(), resolve, reject, timer });
      load.inFlight++;
    });
    // The timer may fire while the request still waits for the broker: the rejection must not go unhandled.
    result.catch(() => undefined);
    try {
      await this.channel.sendToQueue(Topology.commandQueue(service), Buffer.from(JSON.stringify({ pattern, data })), {
        correlationId: id,
        replyTo: REPLY_TO,
        // A deadline instead of a per-message TTL: an expired request would be dead-lettered by the broker (the
        // command queue has a dead-letter exchange for poison), filling the dead-letter queue whenever a service is down.
        // Not queued past the deadline while the broker reconnects either.
        timeout: timeoutMs,
        contentType: 'application/json',
        userId: this.userId,
        mandatory: true,
        headers: { [Headers.deadline]: Date.now() + timeoutMs, ...outgoingHeaders(opts.correlationId) },
      });
    } catch (err) {
      this.settle(id);
      throw new DomainError(ErrorCode.ServiceUnavailable, `cannot reach the ${service} service: ${(err as Error).message}`);
    }
    return result as Promise<RpcResult<K>>;
  }

  /** Requests outstanding at `service` from this client (what the in-flight limit counts). */
  inFlight(service: string): number {
    return this.load.get(service)?.inFlight ?? 0;
  }

  private loadOf(service: string): ServiceLoad {
    let load = this.load.get(service);
    if (!load) this.load.set(service, (load = { inFlight: 0, latencyMs: 0 }));
    return load;
  }

  /** Takes a request out of the pending set (at most once): its timer stops and its service's in-flight count drops. */
  private settle(id: string, measure = false): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(id);
    const load = this.loadOf(p.service);
    load.inFlight--;
    // A reply, or the timeout (the service took at least that long), updates the latency the retry hint is built from.
    if (measure) {
      const took = Date.now() - p.sentAt;
      load.latencyMs = load.latencyMs === 0 ? took : load.latencyMs + LATENCY_EWMA_WEIGHT * (took - load.latencyMs);
    }
    return p;
  }

  private onReturned(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    const p = id ? this.settle(id) : undefined;
    if (!p) return;
    p.reject(new DomainError(ErrorCode.ServiceUnavailable, `the ${p.service} service is not running (its command queue does not exist yet)`));
  }

  private onReply(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    const p = id ? this.settle(id, true) : undefined;
    if (!p) return; // a reply that arrived after its caller timed out
    let reply: RpcReply;
    try {
      reply = JSON.parse(msg.content.toString('utf8')) as RpcReply;
    } catch {
      p.reject(new DomainError(ErrorCode.Internal, 'unreadable RPC reply'));
      return;
    }
    if (reply.ok) p.resolve(reply.data);
    else if (isErrorBody(reply.error)) p.reject(new DomainError(reply.error.code, reply.error.message, reply.error.details));
    else {
      this.logger.error('malformed RPC error reply');
      p.reject(new DomainError(ErrorCode.Internal, 'malformed RPC reply'));
    }
  }

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) {
      this.settle(id)?.reject(new DomainError(ErrorCode.ServiceUnavailable, 'RPC client closed'));
    }
    await this.channel.close();
  }
}
