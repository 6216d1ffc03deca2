import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setTracingEnabled } from '@wellifiy/messaging';

let provider: NodeTracerProvider | undefined;

export interface TracingOptions {
  /** Export here, span by span (tests: an InMemorySpanExporter), instead of over OTLP. */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

/** Whether this environment asks for traces: an OTLP endpoint is set, and the SDK is not disabled. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * OpenTelemetry tracing of this process, on only when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set:
 * spans are batched and exported over OTLP/HTTP (the exporter reads the standard OTEL_EXPORTER_OTLP_* settings;
 * OTEL_BSP_* tune the batching). Otherwise nothing is registered and the API calls in the code are no-ops.
 * Registers the W3C trace-context propagator (traceparent/tracestate in AMQP headers, job data and HTTP) and an
 * AsyncLocalStorage context manager. Spans carry ids, names of routes, commands and events, never content.
 */
export function initTracing(service: string, opts: TracingOptions = {}): boolean {
  if (provider) return true;
  const env = opts.env ?? process.env;
  let processor: SpanProcessor;
  if (opts.exporter) processor = new SimpleSpanProcessor(opts.exporter);
  else if (tracingRequested(env)) processor = new BatchSpanProcessor(new OTLPTraceExporter());
  else return false;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service, 'service.namespace': 'wellifiy-messaging' }),
    spanProcessors: [processor],
  });
  provider.register();
  setTracingEnabled(true);
  return true;
}

/** Exports what is buffered and stops tracing (at shutdown). */
export async function shutdownTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  setTracingEnabled(false);
  await p?.shutdown().catch(() => undefined);
}

/** Flushes the spans of a process that shuts down gracefully. */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTracing();
  }
}
