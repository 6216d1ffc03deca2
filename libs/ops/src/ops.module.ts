import { DynamicModule, Module, Provider } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Connection } from 'mongoose';
import { AMQP_CONNECTION } from '@wellifiy/messaging';
import { instrumentDatabase } from './db-metrics';
import { HealthController, READINESS_CHECKS, ReadinessCheck, ReadinessService } from './health';
import { MetricsController } from './metrics';

export const mongoReadiness = (connection: Connection): ReadinessCheck => ({
  name: 'mongodb',
  check: async () => {
    if (connection.readyState !== 1 || !connection.db) throw new Error('not connected');
    await connection.db.admin().ping();
  },
});

export const amqpReadiness = (connection: AmqpConnectionManager): ReadinessCheck => ({
  name: 'rabbitmq',
  check: async () => {
    if (!connection.isConnected()) throw new Error('not connected');
  },
});

const DB_METRICS = Symbol('DB_METRICS');

export interface OpsModuleOptions {
  /** Extra checks beyond RabbitMQ (and MongoDB when `mongo` is true). */
  extraChecks?: { inject: unknown[]; useFactory: (...deps: any[]) => ReadinessCheck[] };
  mongo: boolean;
}

/** /health/live, /health/ready and /metrics for a process. */
@Module({})
export class OpsModule {
  static forRoot(opts: OpsModuleOptions): DynamicModule {
    const inject: unknown[] = [AMQP_CONNECTION, ...(opts.mongo ? [getConnectionToken()] : []), ...(opts.extraChecks?.inject ?? [])];
    const checks: Provider = {
      provide: READINESS_CHECKS,
      inject: inject as never[],
      useFactory: (amqp: AmqpConnectionManager, ...rest: unknown[]) => {
        const list = [amqpReadiness(amqp)];
        if (opts.mongo) list.push(mongoReadiness(rest.shift() as Connection));
        if (opts.extraChecks) list.push(...opts.extraChecks.useFactory(...rest));
        return list;
      },
    };
    const dbMetrics: Provider[] = opts.mongo
      ? [{ provide: DB_METRICS, inject: [getConnectionToken()], useFactory: (connection: Connection) => (instrumentDatabase(connection), true) }]
      : [];
    return {
      module: OpsModule,
      controllers: [HealthController, MetricsController],
      providers: [checks, ReadinessService, ...dbMetrics],
      exports: [ReadinessService],
    };
  }
}
