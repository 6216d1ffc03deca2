import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';

export interface ReconnectBackoff {
  /** Wait before the first retry after a lost or failed connection. */
  baseSeconds: number;
  /** Longest wait between attempts. */
  maxSeconds: number;
}

export const AMQP_RECONNECT: ReconnectBackoff = { baseSeconds: 0.5, maxSeconds: 5 };

/** One reconnecting broker connection per process; channels re-run their setup after a reconnect. */
export function connectAmqp(url: string, name: string, backoff: ReconnectBackoff = AMQP_RECONNECT): AmqpConnectionManager {
  const logger = new Logger(`Amqp:${name}`);
  const connection = amqp.connect([url], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: backoff.baseSeconds,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  connection.on('connect', () => logger.log('connected to RabbitMQ'));
  connection.on('disconnect', ({ err }) => logger.warn(`disconnected from RabbitMQ: ${err?.message ?? 'closed'}`));
  connection.on('connectFailed', ({ err }) => logger.warn(`cannot reach RabbitMQ: ${err?.message} (next attempt in ${connection.reconnectTimeInSeconds.toFixed(1)} s)`));
  backOffReconnects(connection, backoff);
  return connection;
}

/**
 * Exponential backoff with jitter for amqp-connection-manager, which retries at a fixed interval: it reads
 * `reconnectTimeInSeconds` before every wait, so each failed attempt doubles it (up to the maximum, ±20 % so
 * the replicas of a service do not retry in step) and a successful connection resets it.
 */
export function backOffReconnects(connection: EventEmitter & { reconnectTimeInSeconds: number }, { baseSeconds, maxSeconds }: ReconnectBackoff): void {
  let failures = 0;
  const jitter = (s: number): number => s * (0.8 + Math.random() * 0.4);
  connection.on('connect', () => {
    failures = 0;
    connection.reconnectTimeInSeconds = baseSeconds;
  });
  connection.on('connectFailed', () => {
    failures++;
    connection.reconnectTimeInSeconds = jitter(Math.min(maxSeconds, baseSeconds * 2 ** failures));
  });
}
