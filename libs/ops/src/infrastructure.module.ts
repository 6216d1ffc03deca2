import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { amqpUrlsOf, CommonConfig } from '@wellifiy/config';
import type { AmqpProcess, QueueName } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { IDEMPOTENCY_STORE, MessagingModule, RpcClientLimits } from '@wellifiy/messaging';
import { bullConnection, MongoIdempotencyStore, MongoModule, RedisTarget } from '@wellifiy/persistence';
import { faultPointsFor } from './fault-hooks';
import { OpsModule, OpsModuleOptions } from './ops.module';
import { redisReadinessVia } from './queue-readiness';

/** The variables a process's infrastructure is built from; a service's own database when its config names one. */
export type InfrastructureConfig = CommonConfig & {
  ENCRYPTION_KEYS: string;
  ENCRYPTION_ACTIVE_KEY_ID: string;
  RPC_TIMEOUT_MS?: number;
  MONGO_URL?: string;
  MONGO_DB?: string;
};

/** What a process with BullMQ queues also reads: where Redis is, and the prefix of its keys. */
export type QueuesConfig = Exclude<RedisTarget, string> & { QUEUE_PREFIX: string };

export type ReadinessChecks = NonNullable<OpsModuleOptions['extraChecks']>;

interface CommonOptions {
  /** This process: the `source` of its events and its broker connection's name. */
  service: AmqpProcess;
  /** Load shedding of this process's RPC calls (the gateway's). */
  rpcLimits?: RpcClientLimits;
}

export type InfrastructureOptions = CommonOptions &
  (
    /** Without queues; `readiness`: checks beyond the broker and the database (the gateway's own Redis). */
    | { config: InfrastructureConfig; queues?: undefined; readiness?: ReadinessChecks }
    /** BullMQ on Redis, these queues registered globally; Redis readiness is asked through the first. */
    | { config: InfrastructureConfig & QueuesConfig; queues: readonly [QueueName, ...QueueName[]]; readiness?: undefined }
  );

/**
 * What every process stands on, in one place: its database (MongoModule) with the idempotency store of its consumers,
 * the broker (MessagingModule, with the fault points FAULT_HOOKS asks for), BullMQ and its queues, readiness and
 * metrics (OpsModule), and the key ring (ENCRYPTION_KEYS) as an injectable. An app module adds only its own features.
 */
@Module({})
export class InfrastructureModule {
  static forService(options: InfrastructureOptions): DynamicModule {
    const { config } = options;
    // Built at boot: a bad key ring stops the service with a message naming the variable.
    const keyRing = KeyRing.parse(config.ENCRYPTION_KEYS, config.ENCRYPTION_ACTIVE_KEY_ID);
    const database = config.MONGO_URL !== undefined && config.MONGO_DB !== undefined ? { url: config.MONGO_URL, dbName: config.MONGO_DB } : undefined;
    const queueModules = options.queues
      ? [
          BullModule.forRoot({ connection: bullConnection(options.config), prefix: options.config.QUEUE_PREFIX }),
          // Global so the app's schedulers and the readiness check (OpsModule) reach the queues.
          { ...BullModule.registerQueue(...options.queues.map((name) => ({ name }))), global: true },
        ]
      : [];
    const idempotency: Provider[] = database ? [{ provide: IDEMPOTENCY_STORE, useClass: MongoIdempotencyStore }] : [];
    return {
      module: InfrastructureModule,
      global: true,
      imports: [
        ...(database ? [MongoModule.forRoot(database)] : []),
        MessagingModule.forRoot({
          url: amqpUrlsOf(config),
          source: options.service,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          rpcLimits: options.rpcLimits,
          keyRing,
          faults: faultPointsFor(config.FAULT_HOOKS),
        }),
        ...queueModules,
        OpsModule.forRoot({ mongo: database !== undefined, extraChecks: options.queues ? redisReadinessVia(options.queues[0]) : options.readiness }),
      ],
      providers: [{ provide: KeyRing, useValue: keyRing }, ...idempotency],
      // OpsModule: the gateway's own health routes use its terminus services.
      exports: [KeyRing, OpsModule],
    };
  }
}
