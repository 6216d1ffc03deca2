import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { amqpUserOf } from '@wellifiy/config';
import type { KeyRing } from '@wellifiy/crypto';
import { connectAmqp } from './amqp-connection';
import { DocumentLocks } from './document-locks';
import { EventPublisher } from './event-publisher';
import { EventSeal } from './event-seal';
import { FaultPoints, NO_FAULTS } from './fault-points';
import { OutboxRelay } from './outbox';
import { RpcClient, RpcClientLimits } from './rpc-client';

export const AMQP_CONNECTION = Symbol('AMQP_CONNECTION');

export interface MessagingModuleOptions {
  /** The broker's URL, or one per node of a cluster (amqpUrlsOf: AMQP_URLS or AMQP_URL), all with one user. */
  url: string | readonly string[];
  /** This process's name: the `source` of its events and the broker connection name. */
  source: string;
  rpcTimeoutMs?: number;
  /** Load shedding of this process's RPC calls (see RpcClientLimits). */
  rpcLimits?: RpcClientLimits;
  /** The service's key ring (ENCRYPTION_KEYS): seals content events it publishes or stores, opens those it consumes. */
  keyRing: KeyRing;
  outbox?: { sweepIntervalMs?: number; fullSweepIntervalMs?: number; graceMs?: number; batchSize?: number };
  /** Where a fault-injection run stops this process (FAULT_HOOKS); NO_FAULTS unless given. */
  faults?: FaultPoints;
}

@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.relay.stop();
    // Events of writes already answered: publish them now rather than leave them to the next process's sweep.
    await Promise.race([this.relay.drain(), new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.rpc.close();
    await this.publisher.close();
    await this.connection.close();
  }
}

/** Broker access for a process: the reconnecting connection, the confirmed publisher, RPC and the outbox relay. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: AMQP_CONNECTION, useFactory: () => connectAmqp(options.url, options.source) },
        { provide: EventSeal, useValue: new EventSeal(options.keyRing) },
        {
          provide: EventPublisher,
          inject: [AMQP_CONNECTION, EventSeal],
          useFactory: (c: AmqpConnectionManager, seal: EventSeal) => new EventPublisher(c, options.source, seal),
        },
        {
          provide: RpcClient,
          inject: [AMQP_CONNECTION],
          useFactory: (c: AmqpConnectionManager) => new RpcClient(c, options.source, options.rpcTimeoutMs ?? 5000, amqpUserOf(typeof options.url === 'string' ? options.url : options.url[0]), options.rpcLimits),
        },
        { provide: DocumentLocks, useValue: new DocumentLocks() },
        { provide: FaultPoints, useValue: options.faults ?? NO_FAULTS },
        {
          provide: OutboxRelay,
          inject: [EventPublisher, EventSeal, FaultPoints],
          useFactory: (p: EventPublisher, seal: EventSeal, faults: FaultPoints) =>
            new OutboxRelay(
              p,
              options.source,
              {
                sweepIntervalMs: options.outbox?.sweepIntervalMs ?? 1000,
                fullSweepIntervalMs: options.outbox?.fullSweepIntervalMs ?? 30_000,
                graceMs: options.outbox?.graceMs ?? 5000,
                batchSize: options.outbox?.batchSize ?? 200,
                faults,
              },
              seal,
            ),
        },
        MessagingLifecycle,
      ],
      exports: [AMQP_CONNECTION, EventPublisher, EventSeal, RpcClient, OutboxRelay, DocumentLocks, FaultPoints],
    };
  }
}
