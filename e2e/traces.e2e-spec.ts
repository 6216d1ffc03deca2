import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import amqp from 'amqplib';
import {
  createIsolatedVhost, deleteVhost, dropSystemDatabases, expectEventually, RunningApp, startSystem, stopApp, TEST_JWT_SECRET, testInfra, tokenFor, uniqueName,
} from '@wellifiy/testing';
import { channelsTestEnv } from './support/channels-env';
import { E2E_BASE_PORT } from './support/system';

/** A span as the OTLP/HTTP JSON exporter sends it, with the service.name of the process that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

function found(span: ReceivedSpan | undefined, what: string): ReceivedSpan {
  if (!span) throw new Error(`no span yet for ${what}`);
  return span;
}

/** A tiny OTLP/HTTP receiver (JSON encoding): what the services export, kept in memory. */
function otlpReceiver(port: number): Promise<{ spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: any[] };
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue as string;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const attributes = Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value ?? {})[0]]));
              spans.push({ service, traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), name: s.name, attributes });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve({ spans, close: () => new Promise<void>((r) => server.close(() => r())) })),
  );
}

/**
 * Issue 14 item 9: one send through the gateway is one trace across gateway, messages and notifications — the
 * services as real processes of their own system (own virtual host, databases and ports), exporting over OTLP to a
 * receiver this test runs; W3C traceparent carried by the RPC request, the outbox's event and the realtime fan-out.
 */
describe('traces: one send is one trace across gateway → messages → notifications → socket emit', () => {
  const basePort = E2E_BASE_PORT + 80;
  const receiverPort = E2E_BASE_PORT + 89;
  const root = path.resolve(__dirname, '..');
  const dbPrefix = uniqueName('e2e-traces');
  const orgId = `org_${randomUUID().slice(0, 8)}`;
  const gateway = `http://127.0.0.1:${basePort}`;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let broker: ReturnType<typeof createIsolatedVhost>;
  let apps: RunningApp[] = [];

  const publishInbound = async (type: string, data: unknown): Promise<void> => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createConfirmChannel();
      const id = `evt_${randomUUID()}`;
      ch.publish('wellifiy.events', type, Buffer.from(JSON.stringify({ id, type, source: 'patient-service', time: new Date().toISOString(), orgId, data })), {
        persistent: true, contentType: 'application/json', messageId: id,
      });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
  };
  const call = async (method: string, route: string, token: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${gateway}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  beforeAll(async () => {
    receiver = await otlpReceiver(receiverPort);
    broker = createIsolatedVhost(testInfra.amqpUrl);
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`, OTEL_BSP_SCHEDULE_DELAY: '100' };
    apps = await startSystem({
      root,
      basePort,
      amqpUrl: broker.url,
      brokerUsers: broker.users,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix,
      nodeEnv: 'test',
      logLevel: 'warn',
      logs: path.join(root, 'reports/e2e-logs/traces'),
      extraEnv: {
        gateway: { ...otel, RATE_LIMIT_PER_MINUTE: '100000' },
        channels: { ...otel, ...channelsTestEnv() },
        messages: otel,
        notifications: { ...otel, DIGEST_DEFAULT_FREQUENCY: 'off', DIGEST_FANOUT_DELAY_MS: '100' },
        'activation-rules': otel,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => stopApp(a)));
    if (broker?.vhost) deleteVhost(broker.vhost);
    await dropSystemDatabases(testInfra.mongoUrl, dbPrefix).catch(() => undefined);
    await receiver?.close();
  });

  it('the send request, the messages.send command, message.created in notifications and the socket emit share one trace, each a child of the hop before', async () => {
    const tm = { userId: `tm_${randomUUID().slice(0, 8)}`, orgId, kind: 'team_member' as const, perms: [] };
    const pt = { userId: `pt_${randomUUID().slice(0, 8)}`, orgId, kind: 'patient' as const };
    await publishInbound('team-member.created', { teamMemberId: tm.userId, firstName: 'Tess', lastName: 'Member', email: `${tm.userId}@clinic.example` });
    await publishInbound('patient.created', { patientId: pt.userId, firstName: 'Pat', lastName: 'Ient' });
    const tmToken = tokenFor(tm);
    const ptToken = tokenFor(pt);
    let channelId = '';
    await expectEventually(async () => {
      const activated = await call('POST', `/v1/patients/${pt.userId}/channels/care_team/activate`, tmToken);
      expect(activated.status).toBe(200);
      channelId = activated.body.id as string;
    }, { timeoutMs: 20_000 });
    await expectEventually(async () => expect((await call('GET', `/v1/channels/${channelId}`, ptToken)).status).toBe(200), { timeoutMs: 10_000 });

    const sent = await call('POST', `/v1/channels/${channelId}/messages`, ptToken, { clientMessageId: `c-${randomUUID()}`, body: 'A message to trace' });
    expect(sent.status).toBe(201);

    const sendSpan = (): ReceivedSpan => found(receiver.spans.find((s) => s.service === 'gateway' && s.name === 'HTTP POST /v1/channels/:id/messages'), 'the send request');
    await expectEventually(async () => {
      const request = sendSpan();
      const trace = receiver.spans.filter((s) => s.traceId === request.traceId);
      const byName = (service: string, name: string): ReceivedSpan => found(trace.find((s) => s.service === service && s.name === name), `${service}: ${name}`);
      const rpc = byName('messages', 'rpc messages.send');
      const consumed = byName('notifications', 'event message.created');
      const fanout = byName('gateway', 'event message.created');
      const emit = byName('gateway', 'socket emit message.created');
      // The command continues the request; the event continues the command (published by the outbox in its span).
      expect(rpc.parentSpanId).toBe(request.spanId);
      expect(consumed.parentSpanId).toBe(rpc.spanId);
      expect(fanout.parentSpanId).toBe(rpc.spanId);
      expect(emit.parentSpanId).toBe(fanout.spanId);
      expect([...new Set(trace.map((s) => s.service))]).toEqual(expect.arrayContaining(['gateway', 'messages', 'notifications']));
      expect(request.attributes['http.response.status_code']).toBe(201);
    }, { timeoutMs: 20_000 });

    // The digest job notifications scheduled for the burst carries the trace in its data: it runs in the same trace.
    await expectEventually(async () => {
      expect(receiver.spans).toContainEqual(expect.objectContaining({ service: 'notifications', traceId: sendSpan().traceId, name: 'job notifications-digest channel-activity' }));
    }, { timeoutMs: 15_000 });
    // Spans name routes, commands and events; no attribute carries what the patient wrote.
    expect(JSON.stringify(receiver.spans)).not.toContain('A message to trace');
  });
});
