import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Headers } from '@wellifiy/contracts';

/**
 * What a unit of work (an HTTP request, a command handled, an event handled, a job run) is about, for the
 * code it calls: publishers, the RPC client and log lines read it from here instead of taking it as an argument.
 * Ids only, never content. `orgId` may be learnt after the context starts (the gateway knows it once the
 * token is checked), so the object is mutable and shared by everything the work awaits.
 */
export interface CallContext {
  correlationId?: string;
  orgId?: string;
}

const storage = new AsyncLocalStorage<CallContext>();

/** The context of the work that is running, if any. */
export function currentContext(): CallContext | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Runs `fn` (and everything it awaits) in `ctx`. */
export function runInContext<T>(ctx: CallContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** Notes the organisation of the running work once it is known (e.g. after authentication). */
export function setContextOrg(orgId: string | undefined): void {
  const ctx = storage.getStore();
  if (ctx && orgId) ctx.orgId = orgId;
}

/** Where the W3C trace context (`traceparent`, `tracestate`) is read from and written to. */
export type TraceCarrier = Record<string, unknown>;

const getter = {
  keys: (carrier: TraceCarrier): string[] => Object.keys(carrier),
  get: (carrier: TraceCarrier, key: string): string | undefined => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/**
 * The headers an outgoing message carries for the running work: its correlation id and, when tracing is on,
 * the W3C `traceparent`/`tracestate` of the active span. Without a tracer provider nothing is added for traces.
 */
export function outgoingHeaders(correlationId?: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const id = correlationId ?? currentCorrelationId();
  if (id) headers[Headers.correlationId] = id;
  propagation.inject(otelContext.active(), headers);
  return headers;
}

/** The W3C trace context of the active span as a plain object (for job data and outbox entries); empty when tracing is off. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(otelContext.active(), carrier);
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  };
}

const tracer = () => trace.getTracer('@wellifiy/messaging');

/** Whether this process registered a tracer provider (@wellifiy/ops initTracing sets it). */
let tracing = false;
/** What a unit of work gets as its span while tracing is off: OpenTelemetry's own no-op span. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Called when a tracer provider is registered or shut down: while none is, units of work skip the span machinery. */
export function setTracingEnabled(enabled: boolean): void {
  tracing = enabled;
}

export interface UnitOfWork {
  /** Span name, e.g. `rpc messages.send` (names and ids only). */
  name: string;
  kind: 'server' | 'consumer' | 'client' | 'producer' | 'internal';
  /** Where the caller's trace context came from (message headers, job data); none: a child of the active span. */
  carrier?: TraceCarrier;
  context: CallContext;
  attributes?: Record<string, string | number | boolean>;
}

const KINDS = { server: SpanKind.SERVER, consumer: SpanKind.CONSUMER, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, internal: SpanKind.INTERNAL };

/**
 * Runs one unit of work in its context and, when tracing is on, in a span that continues the caller's trace.
 * The span ends when `fn` settles; a throw marks it as an error (the error's name only: messages may quote input).
 */
export async function runUnitOfWork<T>(work: UnitOfWork, fn: (span: Span) => Promise<T>): Promise<T> {
  // Without a provider every span would be a no-op: only the context is kept (about 4 µs less per unit of work).
  if (!tracing) return storage.run(work.context, () => fn(NO_SPAN));
  const parent = work.carrier ? propagation.extract(ROOT_CONTEXT, work.carrier, getter) : otelContext.active();
  const attributes = { ...(work.context.correlationId ? { 'wellifiy.correlation_id': work.context.correlationId } : {}), ...(work.context.orgId ? { 'wellifiy.org_id': work.context.orgId } : {}), ...work.attributes };
  const span = tracer().startSpan(work.name, { kind: KINDS[work.kind], attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await otelContext.with(ctx, () => storage.run(work.context, () => fn(span)));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'error' });
    throw err;
  } finally {
    span.end();
  }
}

/** Starts a span (child of the active one) the caller ends; for work that does not fit one awaited function (an HTTP request). */
export function startSpan(name: string, kind: UnitOfWork['kind'], carrier?: TraceCarrier, attributes?: Record<string, string | number | boolean>): { span: Span; context: ReturnType<typeof otelContext.active> } {
  const parent = carrier ? propagation.extract(otelContext.active(), carrier, getter) : otelContext.active();
  const span = tracer().startSpan(name, { kind: KINDS[kind], ...(attributes ? { attributes } : {}) }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with `ctx` as the active trace context (see startSpan). */
export function withTraceContext<T>(ctx: ReturnType<typeof otelContext.active>, fn: () => T): T {
  return otelContext.with(ctx, fn);
}

/**
 * Runs a BullMQ job in the context it was scheduled in: its data's correlationId and orgId, and (when tracing is
 * on) a span continuing the `traceparent` the scheduler put in the job data (`currentTraceContext()`).
 */
export function runJob<T>(queue: string, job: { name: string; data: unknown; attemptsMade?: number }, fn: () => Promise<T>): Promise<T> {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const correlationId = str(data.correlationId);
  const orgId = str(data.orgId);
  return runUnitOfWork(
    {
      name: `job ${queue} ${job.name}`,
      kind: 'consumer',
      carrier: data,
      context: { ...(correlationId ? { correlationId } : {}), ...(orgId ? { orgId } : {}) },
      attributes: { 'messaging.destination': queue, 'wellifiy.attempt': (job.attemptsMade ?? 0) + 1 },
    },
    fn,
  );
}
