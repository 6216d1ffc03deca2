import { ServiceName } from './rpc';

/** Broker names, declared once. Queue arguments live in libs/messaging (topology.ts) and nowhere else. */
export const Topology = {
  eventsExchange: 'wellifiy.events',
  deadLetterExchange: 'wellifiy.dead-letter',
  /** A quorum queue, bounded in length and age (libs/messaging topology.ts); replaces `boundedClassicDeadLetterQueue`. */
  deadLetterQueue: 'wellifiy.dead-letter.replicated',
  /** The bounded classic queue of earlier releases (on one node of a cluster): unbound, left for an operator to drain and delete. */
  boundedClassicDeadLetterQueue: 'wellifiy.dead-letter.bounded',
  /** Declared without bounds by earlier releases: unbound from the exchange, left for an operator to drain and delete. */
  legacyDeadLetterQueue: 'wellifiy.dead-letter',
  retryExchange: 'wellifiy.retry',
  eventQueue: (service: ServiceName | 'gateway'): string => `wellifiy.${service}.events`,
  retryQueue: (queue: string): string => `${queue}.retry`,
  commandQueue: (service: ServiceName): string => `wellifiy.${service}.commands`,
  gatewayRealtimeQueue: (instanceId: string): string => `wellifiy.gateway.realtime.${instanceId}`,
  /** A service process's own copy of the events every replica must hear (the messages service: `patient.erased`). */
  serviceInstanceQueue: (service: ServiceName, instanceId: string): string => `wellifiy.${service}.instance.${instanceId}`,
} as const;

export const Headers = {
  correlationId: 'x-correlation-id',
  attempt: 'x-attempt',
  deadLetterReason: 'x-dead-letter-reason',
  deadLetterQueue: 'x-original-queue',
  /** Epoch ms after which an RPC request's caller has given up: the service drops it unanswered. */
  deadline: 'x-deadline',
} as const;
