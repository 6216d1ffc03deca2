import { Rpc, RpcName, RpcRequest } from './rpc';
import { ActorRequest, SERVICES, ServiceName } from './rpc/common';
import { Topology } from './topology';

/*
 * Who may do what on the broker, in one place: which process kinds may send each command (checked by the
 * command consumer against RabbitMQ's validated user-id) and the least-privilege permissions of each kind's
 * RabbitMQ user (configure / write / read regexes), from which docker-compose's definitions, the k8s
 * Permission resources and the local launchers' rabbitmqctl calls are all derived.
 */

/** Every process kind that connects to RabbitMQ with a user of its own. */
export const AMQP_PROCESSES = ['gateway', ...SERVICES] as const;
export type AmqpProcess = (typeof AMQP_PROCESSES)[number];

/** Commands whose request carries no `actor`: each names the process kinds that may send it. */
export type NonActorRpc = { [K in RpcName]: RpcRequest<K> extends ActorRequest ? never : K }[RpcName];

/**
 * Senders of the commands that carry no actor. Every other command carries an `actor` that the service believes,
 * so it is accepted from the gateway only — the one process that verified the caller's token.
 */
export const NON_ACTOR_RPC_CALLERS: { readonly [K in NonActorRpc]: readonly AmqpProcess[] } = {
  // readiness: the gateway pings every service
  [Rpc.ChannelsPing]: ['gateway'],
  [Rpc.MessagesPing]: ['gateway'],
  [Rpc.NotificationsPing]: ['gateway'],
  [Rpc.ActivationRulesPing]: ['gateway'],
  // a member the membership projection has not seen yet is asked from channels once
  [Rpc.ChannelsMembershipCheck]: ['messages', 'notifications'],
  // patient intake activates and staffs the channel
  [Rpc.ChannelsActivateForPatient]: ['activation-rules'],
  // the archived-member fallback staffs an emptied channel with the rule's team
  [Rpc.ActivationRulesAssigned]: ['channels'],
  // authoritative counters, fed by the messages service
  [Rpc.NotificationsRepairChannel]: ['messages'],
  // a patient's profile change names their avatar: channels asks messages to check and take it
  [Rpc.MediaSetAvatar]: ['channels'],
};

/** The process kinds that may send `pattern`. */
export function allowedCallers(pattern: RpcName): readonly AmqpProcess[] {
  return (NON_ACTOR_RPC_CALLERS as Partial<Record<RpcName, readonly AmqpProcess[]>>)[pattern] ?? ['gateway'];
}

export function carriesActor(pattern: RpcName): boolean {
  return !(pattern in NON_ACTOR_RPC_CALLERS);
}

export interface BrokerPermissions {
  /** Exchanges and queues the user may declare (and delete). */
  configure: string;
  /** Exchanges the user may publish to, and queues it may bind. */
  write: string;
  /** Queues the user may consume from, and exchanges it may bind from. */
  read: string;
}

const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names: string[]): string => `^(${names.join('|')})$`;

/**
 * Queues a process kind owns: a service's event queue, its retry queue and its command queue; a gateway's realtime
 * queues and the durable event queue its replicas share (with its retry queue).
 */
function ownQueues(process: AmqpProcess): string[] {
  if (process === 'gateway') {
    const events = Topology.eventQueue('gateway');
    return [`${escape(Topology.gatewayRealtimeQueue(''))}[0-9a-f-]{36}`, escape(events), escape(Topology.retryQueue(events))];
  }
  const events = Topology.eventQueue(process as ServiceName);
  const own = [escape(events), escape(Topology.retryQueue(events)), escape(Topology.commandQueue(process as ServiceName))];
  // the messages service's per-process queue: every replica drops an erased patient's cached key
  if (process === 'messages') own.push(`${escape(Topology.serviceInstanceQueue(process, ''))}[0-9a-f-]{36}`);
  return own;
}

/**
 * Least privilege for the RabbitMQ user of `process`:
 * - configure: the exchanges every process declares (events, dead-letter) and its own queues — never another
 *   service's queue (an RPC caller does not declare the queue it sends to);
 * - write: the events exchange (domain events), the dead-letter exchange and queue (dead letters; binding the
 *   dead-letter queue), the default exchange `amq.default` (RPC requests and replies, retries) and its own queues
 *   (to bind them);
 * - read: its own queues, and the exchanges it binds from (events, dead-letter). The dead-letter queue shares
 *   its exchange's name, so reading it is granted too.
 * Publishing to the default exchange reaches any queue: the command consumer checks the sender's user-id for that.
 */
export function brokerPermissions(process: AmqpProcess): BrokerPermissions {
  // The dead-letter exchange shares its name with the unbounded queue of earlier releases, which every process unbinds,
  // as it unbinds the bounded classic queue that came next.
  const shared = [escape(Topology.eventsExchange), escape(Topology.deadLetterExchange), escape(Topology.boundedClassicDeadLetterQueue), escape(Topology.deadLetterQueue)];
  const own = ownQueues(process);
  return {
    configure: anyOf([...shared, ...own]),
    write: anyOf([...shared, 'amq\\.default', ...own]),
    read: anyOf([...shared, ...own]),
  };
}

/** Every process kind with its permissions (for definitions files and launchers). */
export function allBrokerPermissions(): { process: AmqpProcess; permissions: BrokerPermissions }[] {
  return AMQP_PROCESSES.map((process) => ({ process, permissions: brokerPermissions(process) }));
}
