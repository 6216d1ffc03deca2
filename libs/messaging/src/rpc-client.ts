import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import {
  DomainError, ErrorCode, Headers, isErrorBody, RpcName, RpcRequest, RpcResult, serviceOfRpc, Topology,
} from '@wellifiy/contracts';

const REPLY_TO = 'amq.rabbitmq.reply-to';

export type RpcReply<T = unknown> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

interface Pending {
  service: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface RpcCallOptions {
  timeoutMs?: number;
  correlationId?: string;
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

  constructor(
    private readonly connection: AmqpConnectionManager,
    name: string,
    private readonly defaultTimeoutMs: number,
    /** The broker user of `connection` (see amqpUserOf). */
    private readonly userId: string,
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

  async send<K extends RpcName>(pattern: K, data: RpcRequest<K>, opts: RpcCallOptions = {}): Promise<RpcResult<K>> {
    const service = serviceOfRpc(pattern);
    if (!service) throw new DomainError(ErrorCode.UnknownRpc, `no service owns ${pattern}`);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const id = randomUUID();
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DomainError(ErrorCode.RpcTimeout, `the ${service} service did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { service, resolve, reject, timer });
    });
    // The timer may fire while the request still waits for the broker: the rejection must not go unhandled.
    result.catch(() => undefined);
    if (!this.connection.isConnected()) {
      clearTimeout(this.pending.get(id)?.timer);
      this.pending.delete(id);
      throw new DomainError(ErrorCode.ServiceUnavailable, `cannot reach the ${service} service: the message broker is unavailable`);
    }
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
        headers: { [Headers.deadline]: Date.now() + timeoutMs, ...(opts.correlationId ? { [Headers.correlationId]: opts.correlationId } : {}) },
      });
    } catch (err) {
      const p = this.pending.get(id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
      }
      throw new DomainError(ErrorCode.ServiceUnavailable, `cannot reach the ${service} service: ${(err as Error).message}`);
    }
    return result as Promise<RpcResult<K>>;
  }

  private onReturned(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.reject(new DomainError(ErrorCode.ServiceUnavailable, `the ${p.service} service is not running (its command queue does not exist yet)`));
  }

  private onReply(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return; // a reply that arrived after its caller timed out
    clearTimeout(p.timer);
    this.pending.delete(id);
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
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DomainError(ErrorCode.ServiceUnavailable, 'RPC client closed'));
      this.pending.delete(id);
    }
    await this.channel.close();
  }
}
