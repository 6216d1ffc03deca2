import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { QueueArgumentsMismatchError } from './topology';

export interface ReconnectBackoff {
  /** Wait before the first retry after a lost or failed connection. */
  baseSeconds: number;
  /** Longest wait between attempts. */
  maxSeconds: number;
}

export const AMQP_RECONNECT: ReconnectBackoff = { baseSeconds: 0.5, maxSeconds: 5 };

/**
 * One reconnecting broker connection per process; channels re-run their setup after a reconnect. `urls` may list
 * every node of a cluster (AMQP_URLS): amqp-connection-manager tries them in turn, starting after the one it last
 * used, so a client whose node died connects to the next one instead of waiting for it.
 */
export function connectAmqp(urls: string | readonly string[], name: string, backoff: ReconnectBackoff = AMQP_RECONNECT): AmqpConnectionManager {
  const logger = new Logger(`Amqp:${name}`);
  const given = typeof urls === 'string' ? [urls] : [...urls];
  if (!given.length) throw new Error('connectAmqp needs at least one broker URL');
  // Each process starts at a node of its own (then goes round the list), so the connections spread over the cluster.
  const start = Math.floor(Math.random() * given.length);
  const list = [...given.slice(start), ...given.slice(0, start)];
  const connection = amqp.connect(list, {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: backoff.baseSeconds,
    // Nagle off: amqplib leaves it on, and then a frame written while an earlier one waits for the peer's delayed
    // ACK sits ~40 ms in the kernel — an RPC's command or its reply (a page of history) took 40 ms more, now and then.
    connectionOptions: { noDelay: true, clientProperties: { connection_name: name } },
  });
  connection.on('connect', ({ url }) => logger.log(`connected to RabbitMQ${list.length > 1 ? ` at ${hostOf(url)}` : ''}`));
  connection.on('disconnect', ({ err }) => logger.warn(`disconnected from RabbitMQ: ${err?.message ?? 'closed'}`));
  connection.on('connectFailed', ({ err }) => logger.warn(`cannot reach RabbitMQ: ${err?.message} (next attempt in ${connection.reconnectTimeInSeconds.toFixed(1)} s)`));
  backOffReconnects(connection, backoff);
  return connection;
}

/** host:port of a broker URL (never its credentials), for the logs. */
function hostOf(url: unknown): string {
  try {
    const u = new URL(typeof url === 'string' ? url : String((url as { url?: string })?.url ?? ''));
    return u.host;
  } catch {
    return 'a broker';
  }
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

/**
 * Whether a setup error will repeat on every connection: the broker refused what this release declares (a queue with
 * other arguments, 406 — QueueArgumentsMismatchError says what to run), or this user may not (403), or something it
 * relies on is missing (404). Anything else — the connection or channel closed mid-setup, a node going down or
 * answering INTERNAL_ERROR while a cluster forms — passes: the wrapper sets up again on the next connection.
 */
export function isPermanentSetupError(err: unknown): boolean {
  if (err instanceof QueueArgumentsMismatchError) return true;
  const code = (err as { code?: unknown })?.code;
  return code === 403 || code === 404 || code === 406;
}

/**
 * A setup error after the start (the wrapper sets up again on every new connection): a passing one — a node lost or
 * answering INTERNAL_ERROR while its cluster recovers — is logged and waited out, as the wrapper sets up again on the
 * next connection; a permanent one (isPermanentSetupError) ends the process, which its supervisor restarts.
 */
function afterStart(err: Error, channel: ChannelWrapper, logger: Logger): void {
  if (!isPermanentSetupError(err)) {
    logger.warn(`setting up channel ${channel.name ?? ''} again failed (${err.message}); setting it up again on the next connection`);
    return;
  }
  logger.error(`setting up channel ${channel.name ?? ''} again failed for good: ${err.message}`);
  setImmediate(() => {
    throw err;
  });
}

/**
 * Waits until `channel` is connected and set up. A permanent setup error (isPermanentSetupError) rejects at once instead
 * of waiting for ever: the process then fails to start, saying why. A passing one is logged and waited out — the
 * wrapper reconnects and runs the setup again. Later setup errors (after a reconnect) go to afterStart.
 */
export function waitForSetup(channel: ChannelWrapper, logger: Logger): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const log = (err: Error): void => logger.error(`setting up channel ${channel.name ?? ''} failed: ${err.message}`);
    const onError = (err: Error): void => {
      if (!isPermanentSetupError(err)) {
        logger.warn(`setting up channel ${channel.name ?? ''} failed (${err.message}); setting it up again on the next connection`);
        return;
      }
      // The start fails with this error; what the wrapper reports after it (the same failure) is only logged.
      channel.removeListener('error', onError);
      channel.on('error', log);
      log(err);
      reject(err);
    };
    channel.on('error', onError);
    channel.waitForConnect().then(() => {
      channel.removeListener('error', onError);
      channel.on('error', (err: Error) => afterStart(err, channel, logger));
      resolve();
    }, onError);
  });
}

/**
 * Starts consuming `queue` on a channel that waitForSetup saw set up. The wrapper registers the consumer before it asks
 * the broker, and consumes again on every new connection: a passing failure of that first request — the connection lost
 * between the setup and the consume, a node of a forming cluster answering 541 — is logged and waited out, as the
 * consumer resumes once the wrapper reconnects. Before, it failed the start and the process exited. A permanent one
 * (isPermanentSetupError: not allowed, no such queue) fails the start, saying why.
 */
export async function startConsuming(
  channel: ChannelWrapper,
  queue: string,
  onMessage: Parameters<ChannelWrapper['consume']>[1],
  options: Parameters<ChannelWrapper['consume']>[2],
  logger: Logger,
): Promise<void> {
  try {
    await channel.consume(queue, onMessage, options);
  } catch (err) {
    if (isPermanentSetupError(err)) throw err;
    logger.warn(`consuming ${queue} failed (${(err as Error).message}); the consumer resumes on the next connection`);
  }
}
