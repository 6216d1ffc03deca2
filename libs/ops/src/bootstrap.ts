import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { amqpUrlsOf, amqpUserOf, CommonConfig, parseAmqpUsers } from '@wellifiy/config';
import { ServiceName } from '@wellifiy/contracts';
import { AmqpServer, EventSeal, FaultPoints, IDEMPOTENCY_STORE, IdempotencyStore, RpcPassthroughFilter, runInContext } from '@wellifiy/messaging';
import { usePinoLogger, withLogging } from './logger';
import { initTracing } from './tracing';
import { drainOnClose } from './http-drain';
import { watchShutdown } from './shutdown-watch';
import { initMetrics } from './metrics';

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Starts a back-end service: its RabbitMQ transport (events + commands) and its small HTTP server for
 * probes and metrics. SIGTERM closes consumers, the HTTP server (draining keep-alive connections: drainOnClose)
 * and connections.
 */
export async function bootstrapService(service: ServiceName, module: Type<unknown> | DynamicModule, config: CommonConfig): Promise<INestApplication> {
  initMetrics(service);
  initTracing(service);
  const app = await NestFactory.create(withLogging(module, service, config.LOG_LEVEL), { bufferLogs: true });
  usePinoLogger(app);
  // A service's own HTTP (the messages service's internal media path) runs in the caller's correlation id.
  app.use((req: { headers: Record<string, unknown> }, _res: unknown, next: () => void) => {
    const given = req.headers['x-correlation-id'];
    if (typeof given === 'string' && SAFE_CORRELATION_ID.test(given)) runInContext({ correlationId: given }, next);
    else next();
  });
  app.enableShutdownHooks();
  drainOnClose(app.getHttpServer());
  const idempotency = app.get<IdempotencyStore>(IDEMPOTENCY_STORE, { strict: false });
  const users = parseAmqpUsers(config.AMQP_USERS);
  // The other services know this one by its AMQP_USERS entry: connecting as anyone else, its commands would be refused.
  const urls = amqpUrlsOf(config);
  const variable = config.AMQP_URLS !== undefined ? 'AMQP_URLS' : 'AMQP_URL';
  if (amqpUserOf(urls[0]) !== users[service])
    throw new Error(`${variable} logs in as "${amqpUserOf(urls[0])}" but AMQP_USERS names "${users[service]}" for ${service}`);
  const transport = new AmqpServer({
    url: urls,
    service,
    users,
    prefetch: config.AMQP_PREFETCH,
    maxEventAttempts: config.EVENT_MAX_ATTEMPTS,
    idempotency,
    // The module's fault points (InfrastructureModule: from FAULT_HOOKS), shared with its outbox relay.
    faults: app.get(FaultPoints, { strict: false }),
    seal: app.get(EventSeal, { strict: false }),
  });
  const shutdown = watchShutdown(app);
  const closeTransport = transport.close.bind(transport);
  transport.close = async () => {
    shutdown.stage = () => `the broker transport (${transport.inFlight()})`;
    try {
      await closeTransport();
    } finally {
      shutdown.stage = 'after the broker transport (HTTP server, connections)';
    }
  };
  app.useGlobalFilters(new RpcPassthroughFilter(app.getHttpAdapter()));
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT);
  return app;
}

/** Entry point wrapper: a failed start is logged and ends the process with a non-zero code. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`[${name}] failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
