import { DynamicModule, MiddlewareConsumer, Module, NestModule, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { HealthIndicatorFunction, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Connection } from 'mongoose';
import { AMQP_CONNECTION } from '@wellifiy/messaging';
import { instrumentDatabase } from './db-metrics';
import { CheckIndicators, HealthController, READINESS_INDICATORS, READINESS_TIMEOUT_MS, ReadinessCheck } from './health';
import { HttpMetricsMiddleware } from './http-metrics';
import { MetricsController } from './metrics';
import { OpsSampler } from './samplers';

/** RabbitMQ: this process's own connection (what its consumers and publishers use), not a fresh one per probe. */
export const amqpIndicator = (indicators: HealthIndicatorService, connection: AmqpConnectionManager): HealthIndicatorFunction => async () => {
  const session = indicators.check('rabbitmq');
  return connection.isConnected() ? session.up() : session.down({ message: 'not connected' });
};

/**
 * MongoDB: a `ping` round trip on this process's own connection, within `timeoutMs`. Not terminus's
 * MongooseHealthIndicator, which only reads the connection's readyState: that stays "connected" for up to the driver's
 * heartbeat (10 s) after the server is gone, so readiness would stay green while every query fails.
 */
export const mongoIndicator = (indicators: HealthIndicatorService, connection: Connection, timeoutMs: number): HealthIndicatorFunction => async () => {
  const session = indicators.check('mongodb');
  let timer: NodeJS.Timeout | undefined;
  try {
    const db = connection.db;
    if (!db) return session.down({ message: 'not connected' });
    await Promise.race([
      db.command({ ping: 1 }),
      new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error(`no answer to ping within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return session.up();
  } catch (err) {
    return session.down({ message: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
};

const DB_METRICS = Symbol('DB_METRICS');

export interface OpsModuleOptions {
  /** Extra checks beyond RabbitMQ (and MongoDB when `mongo` is true). */
  extraChecks?: { inject: unknown[]; useFactory: (...deps: any[]) => ReadinessCheck[] };
  mongo: boolean;
}

/**
 * /health/live, /health/ready (terminus: RabbitMQ, MongoDB when `mongo`, the app's extra checks) and /metrics
 * for a process, with HTTP request metrics and the sampled gauges (queue depths, outbox backlog, job counts).
 */
@Module({})
export class OpsModule implements NestModule {
  static forRoot(opts: OpsModuleOptions): DynamicModule {
    const inject: unknown[] = [
      HealthIndicatorService,
      CheckIndicators,
      AMQP_CONNECTION,
      ...(opts.mongo ? [getConnectionToken()] : []),
      ...(opts.extraChecks?.inject ?? []),
    ];
    const indicators: Provider = {
      provide: READINESS_INDICATORS,
      inject: inject as never[],
      useFactory: (indicatorService: HealthIndicatorService, checks: CheckIndicators, amqp: AmqpConnectionManager, ...rest: unknown[]) => {
        const list: HealthIndicatorFunction[] = [amqpIndicator(indicatorService, amqp)];
        if (opts.mongo) {
          const connection = rest.shift() as Connection;
          list.push(mongoIndicator(indicatorService, connection, READINESS_TIMEOUT_MS));
        }
        if (opts.extraChecks) list.push(...opts.extraChecks.useFactory(...rest).map((c) => checks.of(c)));
        return list;
      },
    };
    const dbMetrics: Provider[] = opts.mongo
      ? [{ provide: DB_METRICS, inject: [getConnectionToken()], useFactory: (connection: Connection) => (instrumentDatabase(connection), true) }]
      : [];
    return {
      module: OpsModule,
      imports: [TerminusModule.forRoot({ logger: false }), DiscoveryModule],
      controllers: [HealthController, MetricsController],
      providers: [indicators, CheckIndicators, OpsSampler, ...dbMetrics],
      exports: [CheckIndicators, OpsSampler, TerminusModule],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
