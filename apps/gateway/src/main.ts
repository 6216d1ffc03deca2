import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { loadConfigOrExit } from '@wellifiy/config';
import { drainOnClose, initMetrics, initTracing, runMain, usePinoLogger, watchShutdown, withLogging } from '@wellifiy/ops';
import { AppModule } from './app.module';
import { mountConsole } from './console/console-static';
import { GatewayConfig } from './config/gateway.config';
import { buildOpenApiDocument, OPENAPI_PATH } from './docs/openapi';
import { HttpErrorFilter } from './http/http-error.filter';
import { createValidationPipe } from './http/validation.pipe';
import { RealtimeIoAdapter } from './realtime/realtime-io.adapter';

/** A 10,000-character body is at most 40 KB of UTF-8; leave room for the JSON around it. */
const JSON_BODY_LIMIT = '64kb';

runMain('gateway', async () => {
  const config = loadConfigOrExit(GatewayConfig, 'gateway');
  initMetrics('gateway');
  initTracing('gateway');
  const app = await NestFactory.create<NestExpressApplication>(withLogging(AppModule.register(config), 'gateway', config.LOG_LEVEL), {
    bufferLogs: true,
    bodyParser: false,
  });
  usePinoLogger(app);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  drainOnClose(app.getHttpServer());
  watchShutdown(app);
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const allowed = origins.includes('*') ? true : origins;
  app.enableCors({ origin: allowed, exposedHeaders: ['x-correlation-id', 'retry-after', 'retry-after-ms'] });
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, allowed));
  mountConsole(app, config.CONSOLE_DIR);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApiDocument(app));
  await app.listen(config.HTTP_PORT);
});
