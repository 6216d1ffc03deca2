import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@wellifiy/auth';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process, exposed at GET /metrics in Prometheus text format. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

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

@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
