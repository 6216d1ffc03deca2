import { Logger } from '@nestjs/common';
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';

/** One reconnecting broker connection per process; channels re-run their setup after a reconnect. */
export function connectAmqp(url: string, name: string): AmqpConnectionManager {
  const logger = new Logger(`Amqp:${name}`);
  const connection = amqp.connect([url], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  connection.on('connect', () => logger.log('connected to RabbitMQ'));
  connection.on('disconnect', ({ err }) => logger.warn(`disconnected from RabbitMQ: ${err?.message ?? 'closed'}`));
  connection.on('connectFailed', ({ err }) => logger.warn(`cannot reach RabbitMQ: ${err?.message}`));
  return connection;
}
