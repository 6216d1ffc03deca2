import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Queue, Worker } from 'bullmq';
import { SERVICES, ServiceName, Topology } from '@wellifiy/contracts';
import { AMQP_CONNECTION, OutboxRelay } from '@wellifiy/messaging';
import { gauge, histogram, metricsServiceName } from './metrics';

/** How often queue depths, outbox backlogs and job counts are sampled (they are gauges: scrapes read the last sample). */
export const SAMPLE_INTERVAL_MS = 10_000;

export interface QueueState {
  messages: number;
  consumers: number;
}

/**
 * Message and consumer counts of RabbitMQ queues, by passive declare (checkQueue: no configure permission needed,
 * nothing is created). A queue that does not exist is `null`; its 404 closes the channel, so the next queue is asked
 * on a fresh one. Throws only when the broker cannot be reached.
 */
export async function probeQueues(connection: AmqpConnectionManager, queues: readonly string[]): Promise<Map<string, QueueState | null>> {
  const model = connection.connection;
  if (!model || !connection.isConnected()) throw new Error('the message broker is not connected');
  const out = new Map<string, QueueState | null>();
  let channel: Awaited<ReturnType<typeof model.createChannel>> | undefined;
  try {
    for (const queue of queues) {
      channel ??= await model.createChannel();
      // A closed channel emits 'error' once: without a listener that would be an uncaught error.
      channel.on('error', () => undefined);
      try {
        const { messageCount, consumerCount } = await channel.checkQueue(queue);
        out.set(queue, { messages: messageCount, consumers: consumerCount });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        out.set(queue, null);
        channel = undefined;
      }
    }
  } finally {
    await channel?.close().catch(() => undefined);
  }
  return out;
}

/** The RabbitMQ queues a process reports: its own event queue and retry queue, its command queue; the gateway also the dead-letter queue. */
export function queuesOf(service: string | undefined): string[] {
  if (!service) return [];
  if (service === 'gateway') {
    const events = Topology.eventQueue('gateway');
    return [events, Topology.retryQueue(events), Topology.deadLetterQueue];
  }
  if (!SERVICES.includes(service as ServiceName)) return [];
  const events = Topology.eventQueue(service as ServiceName);
  return [events, Topology.retryQueue(events), Topology.commandQueue(service as ServiceName)];
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

/**
 * Samples what a scrape cannot cheaply compute: RabbitMQ queue depths, the outbox backlog (documents holding
 * undispatched events), BullMQ job counts by state. Times the lateness of each job's first run (how long after
 * it was due a worker took it). Labels are queue, collection and state names only.
 */
@Injectable()
export class OpsSampler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('OpsSampler');
  private timer?: NodeJS.Timeout;
  private queues: Queue[] = [];
  private running?: Promise<void>;
  private readonly depth = gauge('rabbitmq_queue_messages', 'Messages ready in a RabbitMQ queue (sampled)', ['queue']);
  private readonly consumers = gauge('rabbitmq_queue_consumers', 'Consumers of a RabbitMQ queue (sampled)', ['queue']);
  private readonly backlog = gauge('outbox_backlog', 'Documents holding events not yet dispatched, per collection (sampled, capped at 10,000)', ['collection']);
  private readonly jobs = gauge('bullmq_jobs', 'BullMQ jobs per queue and state (sampled)', ['queue', 'state']);
  private readonly lateness = histogram(
    'bullmq_job_lateness_seconds',
    'How long after it was due a job first started, per queue',
    ['queue'],
    [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
  );

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(AMQP_CONNECTION) private readonly amqp: AmqpConnectionManager,
    @Optional() private readonly outbox?: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Queue) this.queues.push(instance);
      if (instance instanceof WorkerHost) this.watchWorker(instance);
    }
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
    void this.sample();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One round of sampling (also what tests call); a round still running is awaited instead of starting another. */
  sample(): Promise<void> {
    this.running ??= this.sampleAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sampleAll(): Promise<void> {
    await Promise.all([this.sampleQueues(), this.sampleOutbox(), this.sampleJobs()]);
  }

  private async sampleQueues(): Promise<void> {
    const queues = queuesOf(metricsServiceName());
    if (!queues.length) return;
    try {
      for (const [queue, state] of await probeQueues(this.amqp, queues)) {
        if (!state) continue;
        this.depth.set({ queue }, state.messages);
        this.consumers.set({ queue }, state.consumers);
      }
    } catch (err) {
      this.log.debug(`queue depths not sampled: ${(err as Error).message}`);
    }
  }

  private async sampleOutbox(): Promise<void> {
    if (!this.outbox) return;
    try {
      for (const [collection, count] of Object.entries(await this.outbox.backlog())) this.backlog.set({ collection }, count);
    } catch (err) {
      this.log.debug(`outbox backlog not sampled: ${(err as Error).message}`);
    }
  }

  private async sampleJobs(): Promise<void> {
    await Promise.all(
      this.queues.map(async (queue) => {
        try {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.jobs.set({ queue: queue.name, state }, counts[state] ?? 0);
        } catch (err) {
          this.log.debug(`job counts of ${queue.name} not sampled: ${(err as Error).message}`);
        }
      }),
    );
  }

  private watchWorker(host: WorkerHost): void {
    let worker: Worker;
    try {
      worker = host.worker;
    } catch {
      return; // a processor whose worker was not created (e.g. a test module without Redis)
    }
    worker.on('active', (job) => {
      if (job.attemptsMade > 0) return; // a retry runs after its backoff, not late
      const due = job.timestamp + (job.delay ?? 0);
      this.lateness.observe({ queue: worker.name }, Math.max(0, (job.processedOn ?? Date.now()) - due) / 1000);
    });
  }
}
