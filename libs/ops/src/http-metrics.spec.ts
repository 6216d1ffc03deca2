import { Controller, Get, MiddlewareConsumer, Module, NestModule, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics';
import { metricsRegistry } from './metrics';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    if (id === 'missing') throw new NotFoundException('no such thing');
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}

describe('HttpMetricsMiddleware', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  const counts = async () =>
    (await metricsRegistry.getSingleMetricAsString('http_request_duration_seconds'))
      .split('\n')
      .filter((l) => l.startsWith('http_request_duration_seconds_count'));

  it('times requests by method, route template (never the ids) and status class; unmatched paths share one label', async () => {
    await fetch(`${base}/v1/things/th_123`);
    await fetch(`${base}/v1/things/th_456`);
    await fetch(`${base}/v1/things/missing`);
    await fetch(`${base}/nowhere/th_789`);
    await new Promise((r) => setTimeout(r, 20));
    expect((await counts()).sort()).toEqual([
      'http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status="2xx"} 2',
      'http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status="4xx"} 1',
      'http_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"} 1',
    ]);
    expect(await metricsRegistry.metrics()).not.toMatch(/th_\d+/);
  });
});
