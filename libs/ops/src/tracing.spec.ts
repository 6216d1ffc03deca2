import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Headers } from '@wellifiy/contracts';
import { currentCorrelationId, currentTraceContext, outgoingHeaders, runJob, runUnitOfWork } from '@wellifiy/messaging';
import { initTracing, shutdownTracing, tracingRequested } from './tracing';

describe('tracing', () => {
  it('is off unless an OTLP endpoint is set (and not when the SDK is disabled)', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(initTracing('messages', { env: {} })).toBe(false);
  });

  it('without a provider, messages carry the correlation id and no trace context', async () => {
    await runUnitOfWork({ name: 'rpc x', kind: 'server', context: { correlationId: 'c-1' } }, async (span) => {
      expect(span.isRecording()).toBe(false);
      span.setAttribute('rpc.error_code', 'X');
      expect(currentCorrelationId()).toBe('c-1');
      expect(outgoingHeaders()).toEqual({ [Headers.correlationId]: 'c-1' });
      expect(currentTraceContext()).toEqual({});
    });
  });

  describe('with a provider', () => {
    const exporter = new InMemorySpanExporter();
    beforeAll(() => expect(initTracing('gateway', { exporter })).toBe(true));
    afterAll(() => shutdownTracing());
    beforeEach(() => exporter.reset());

    it('a unit of work continues the traceparent of the message it handles, and what it sends continues its own span', async () => {
      let carrier: Record<string, unknown> = {};
      await runUnitOfWork({ name: 'HTTP POST', kind: 'server', context: { correlationId: 'c-2' } }, async () => {
        carrier = outgoingHeaders();
      });
      expect(carrier).toMatchObject({ [Headers.correlationId]: 'c-2', traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) });

      let sentOn: Record<string, unknown> = {};
      await runUnitOfWork({ name: 'rpc messages.send', kind: 'server', carrier, context: { correlationId: 'c-2', orgId: 'org_1' } }, async () => {
        sentOn = { ...currentTraceContext(), correlationId: 'c-2', orgId: 'org_1' };
      });
      await runJob('notifications-digest', { name: 'channel-activity', data: sentOn }, async () => {
        expect(trace.getActiveSpan()).toBeDefined();
      });

      const [http, rpc, job] = exporter.getFinishedSpans();
      expect([http.name, rpc.name, job.name]).toEqual(['HTTP POST', 'rpc messages.send', 'job notifications-digest channel-activity']);
      expect(rpc.spanContext().traceId).toBe(http.spanContext().traceId);
      expect(rpc.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
      expect(job.spanContext().traceId).toBe(http.spanContext().traceId);
      expect(job.parentSpanContext?.spanId).toBe(rpc.spanContext().spanId);
      expect(rpc.attributes).toMatchObject({ 'wellifiy.correlation_id': 'c-2', 'wellifiy.org_id': 'org_1' });
      expect(rpc.resource.attributes['service.name']).toBe('gateway');
    });

    it('a failing unit of work ends its span as an error and rethrows', async () => {
      await expect(runUnitOfWork({ name: 'event x', kind: 'consumer', context: {} }, async () => {
        throw new TypeError('boom');
      })).rejects.toThrow('boom');
      expect(exporter.getFinishedSpans()[0].status).toMatchObject({ code: 2, message: 'TypeError' });
    });
  });

  it('after shutdown, units of work record no spans again', async () => {
    const exporter = new InMemorySpanExporter();
    expect(initTracing('gateway', { exporter })).toBe(true);
    await shutdownTracing();
    await runUnitOfWork({ name: 'rpc y', kind: 'server', context: {} }, async (span) => expect(span.isRecording()).toBe(false));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
