import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@wellifiy/auth';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * One registry per process, exposed at GET /metrics in Prometheus text format: prom-client's default registry,
 * so the metrics of @wellifiy/messaging (RPC, events), which cannot depend on this library, land in it too.
 */
export const metricsRegistry = register;
let metricsService: string | undefined;

export function initMetrics(service: string): void {
  if (metricsService) return;
  metricsService = service;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The service named by initMetrics (undefined in tests that build modules without it). */
export const metricsServiceName = (): string | undefined => metricsService;

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

export function histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Histogram<string>;
  return new Histogram({ name, help, labelNames, registers: [metricsRegistry], ...(buckets ? { buckets } : {}) });
}

/** A gauge; `collect` (optional) sets its value whenever it is scraped. */
export function gauge(name: string, help: string, labelNames: string[] = [], collect?: (this: Gauge<string>) => void | Promise<void>): Gauge<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames, registers: [metricsRegistry], ...(collect ? { collect } : {}) });
}

@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
