/** The faults of one run, in the order they are injected (rows of the checker's table). */
export const FAULTS = {
  rabbitmq: 'kill RabbitMQ',
  rabbitmqNode: 'kill one RabbitMQ node (of 3)',
  rabbitmqOtherNode: 'kill another RabbitMQ node, after the first is back',
  database: 'kill the database server (FerretDB)',
  redis: 'kill Redis',
  redisFailover: 'Redis failover (kill the primary; the Sentinels promote the replica)',
  channels: 'kill channels',
  messages: 'kill messages',
  notifications: 'kill notifications',
  activationRules: 'kill activation-rules',
  gateway: 'kill gateway a (clients connected; b keeps serving)',
  gatewayB: 'kill gateway b (clients connected; the restarted a serves)',
  crashAfterWrite: 'messages crash between write and publish (crash-after-write)',
  crashInHandler: 'notifications crash inside an event handler (crash-in-handler)',
  poison: 'poison messages in every consumed queue',
  clientDrop: 'drop and restore client connections',
  // Replicas (issue 15): each app runs FaultSystem.replicas processes; the rows above kill its first one.
  oneReplicaOfEach: 'kill one replica of every service and gateway at once (the others carry on)',
  rollingRestart: 'rolling restart of every service and gateway, one replica at a time',
  brokerPartition: 'network partition between a messages replica and RabbitMQ, longer than the heartbeat (TCP proxy)',
} as const;

export const FAULT_NAMES: string[] = Object.values(FAULTS);

/** One row of the checker's table. */
export interface RowResult {
  fault: string;
  sent: number;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  recoveryMs: number | null;
  /** Sends that needed more than one attempt (the fault reached the senders: 503s, timeouts, refused connections). */
  retried: number;
  /** How the failed attempts of those sends were answered: HTTP status (0: no answer) → count. */
  failures: Record<string, number>;
  /** Problems other than the counts (unread counts, digests, queues, dead letters, readiness, the fault itself). */
  problems: string[];
}

/** What reports/faults-rows.json holds. */
export interface FaultReport {
  /** `topology: rabbitmq-nodes=… replicas=… gateways=… redis=…` (FaultSystem.topology). */
  topology?: string;
  short: boolean;
  /** Processes of each app the run had (FaultSystem.replicas). */
  replicas: Record<string, number>;
  seconds: number;
  faults: string[];
  rows: RowResult[];
}
