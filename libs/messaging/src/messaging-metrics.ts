import { Counter, Histogram, register } from 'prom-client';
import { ErrorCode, Events, isErrorBody, Rpc } from '@wellifiy/contracts';

/*
 * RPC and event metrics, on prom-client's default registry (the one @wellifiy/ops exposes at /metrics). Every
 * label is bounded: command and event names are checked against the contracts, outcomes are error codes of the
 * contracts; anything else is counted as "unknown" / "other" — never an id, a body or a free text.
 */

const RPC_NAMES: ReadonlySet<string> = new Set(Object.values(Rpc));
const EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(Events));
const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Seconds; RPCs are answered in milliseconds, a timeout takes the caller's deadline (5 s by default). */
const RPC_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const EVENT_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  return (register.getSingleMetric(name) as Histogram<string> | undefined) ?? new Histogram({ name, help, labelNames, buckets });
}

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

export const commandLabel = (pattern: unknown): string => (typeof pattern === 'string' && RPC_NAMES.has(pattern) ? pattern : 'unknown');
export const eventLabel = (type: unknown): string => (typeof type === 'string' && EVENT_NAMES.has(type) ? type : 'unknown');

/** `ok`, or the error code of the contracts the call failed with (`other` for anything that is not one). */
export function outcomeOf(err: unknown): string {
  if (err === undefined) return 'ok';
  const code = isErrorBody(err) ? err.code : (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ERROR_CODES.has(code) ? code : 'other';
}

export const messagingMetrics = {
  /** What a caller waited for each command, by outcome (ok, RPC_TIMEOUT, SERVICE_UNAVAILABLE, a domain error code...). */
  rpcClient: (): Histogram<string> =>
    histogram('rpc_client_duration_seconds', 'RPC round trip as the caller saw it, by command and outcome', ['command', 'outcome'], RPC_BUCKETS),
  /** How long the owning service took to answer each command, by outcome. */
  rpcServer: (): Histogram<string> =>
    histogram('rpc_server_duration_seconds', 'RPC handling time in the owning service, by command and outcome', ['command', 'outcome'], RPC_BUCKETS),
  /** Handling of one delivery; outcome: ok, duplicate (already handled), retried, dead_lettered. */
  eventHandling: (): Histogram<string> =>
    histogram('event_handling_duration_seconds', 'Event handling time per delivery, by event type and outcome', ['event', 'outcome'], EVENT_BUCKETS),
  eventRetries: (): Counter<string> => counter('event_retries_total', 'Event deliveries whose handler failed and that were put on the retry queue, by event type', ['event']),
  /** reason: poison (invalid, unreadable, no handler) or exhausted (the handler failed on every attempt). */
  eventDeadLetters: (): Counter<string> =>
    counter('event_dead_letters_total', 'Event deliveries moved to the dead-letter queue, by event type and reason', ['event', 'reason']),
};
