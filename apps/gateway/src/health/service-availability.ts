import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { SERVICES, ServiceName, Topology } from '@wellifiy/contracts';
import { AMQP_CONNECTION, RpcClient } from '@wellifiy/messaging';
import { gauge, probeQueues } from '@wellifiy/ops';

/** How often the gateway looks whether each service has an instance consuming its command queue. */
export const AVAILABILITY_INTERVAL_MS = 1000;
/** The wait suggested (Retry-After) with a refusal for a service that is down: a restarted instance is seen within a second. */
export const SERVICE_DOWN_RETRY_AFTER_MS = 2000;

export type Availability = 'up' | 'down' | 'unknown';

/**
 * Which downstream services are running, as RabbitMQ sees it: a service is down when no instance consumes its
 * command queue (every instance stopped or crashed; the broker notices a dead connection within its heartbeat).
 * While one is down, the RPC client refuses its requests at once — 503 SERVICE_UNAVAILABLE with Retry-After on
 * that service's routes — instead of letting them wait in the queue for their timeout; the other services' routes
 * and the gateway's readiness are not affected. Unknown (not asked yet, or the broker is unreachable) counts as up:
 * the RPC client refuses by itself while the broker is down.
 */
@Injectable()
export class ServiceAvailability implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('ServiceAvailability');
  private readonly state = new Map<ServiceName, Availability>(SERVICES.map((s) => [s, 'unknown']));
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly rechecks = new Map<ServiceName, Promise<Availability>>();
  private readonly up = gauge('downstream_service_up', 'Whether a downstream service has an instance consuming its commands (1), as the gateway sees it', ['target']);

  constructor(
    @Inject(AMQP_CONNECTION) private readonly amqp: AmqpConnectionManager,
    private readonly rpc: RpcClient,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.setAvailability((service) => this.refusal(service as ServiceName));
    this.timer = setInterval(() => void this.refresh(), AVAILABILITY_INTERVAL_MS);
    this.timer.unref();
    void this.refresh();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.rpc.setAvailability(undefined);
  }

  of(service: ServiceName): Availability {
    return this.state.get(service) ?? 'unknown';
  }

  /**
   * The refusal for a request to `service`, if it is down. A service last seen down is asked once more before its
   * request is refused (requests at the same moment share that one question), so a service that just came back is
   * not refused until the next round, and one that never went is never refused on an old answer.
   */
  async refusal(service: ServiceName): Promise<{ retryAfterMs: number } | undefined> {
    if (this.state.get(service) !== 'down') return undefined;
    let recheck = this.rechecks.get(service);
    if (!recheck) {
      recheck = this.askOne(service).finally(() => this.rechecks.delete(service));
      this.rechecks.set(service, recheck);
    }
    return (await recheck) === 'down' ? { retryAfterMs: SERVICE_DOWN_RETRY_AFTER_MS } : undefined;
  }

  private async askOne(service: ServiceName): Promise<Availability> {
    try {
      const q = (await probeQueues(this.amqp, [Topology.commandQueue(service)])).get(Topology.commandQueue(service));
      this.record(service, q && q.consumers > 0 ? 'up' : 'down');
    } catch {
      this.record(service, 'unknown');
    }
    return this.of(service);
  }

  private record(service: ServiceName, next: Availability): void {
    const previous = this.state.get(service);
    if (previous !== 'down' && next === 'down') this.log.warn(`the ${service} service has no running instance: its routes answer 503 until one is back`);
    if (previous === 'down' && next === 'up') this.log.log(`the ${service} service is back`);
    this.state.set(service, next);
    if (next !== 'unknown') this.up.set({ target: service }, next === 'up' ? 1 : 0);
  }

  /** Asks the broker once (the timer's work; tests call it to not wait for the timer); a round under way is awaited. */
  refresh(): Promise<void> {
    this.running ??= this.ask().finally(() => (this.running = undefined));
    return this.running;
  }

  private async ask(): Promise<void> {
    try {
      const queues = await probeQueues(this.amqp, SERVICES.map((s) => Topology.commandQueue(s)));
      for (const service of SERVICES) {
        const q = queues.get(Topology.commandQueue(service));
        this.record(service, q && q.consumers > 0 ? 'up' : 'down');
      }
    } catch (err) {
      this.log.debug(`service availability not known: ${(err as Error).message}`);
      for (const service of SERVICES) this.state.set(service, 'unknown');
    }
  }
}
