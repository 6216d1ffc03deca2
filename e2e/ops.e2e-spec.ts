import { randomUUID } from 'node:crypto';
import { Topology } from '@wellifiy/contracts';
import { expectEventually } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, RealtimeClient } from './support/client';
import { find, scrape } from './support/metrics';
import { E2E_BASE_PORT } from './support/system';

const PORT = { gateway: E2E_BASE_PORT, channels: E2E_BASE_PORT + 1, messages: E2E_BASE_PORT + 2, notifications: E2E_BASE_PORT + 3, 'activation-rules': E2E_BASE_PORT + 4 };
const up = { status: 'up' };

describe('operations endpoints', () => {
  it('liveness answers without a token', async () => {
    const res = await api('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it("the gateway's readiness checks its own RabbitMQ and Redis (terminus result); the services are reported at /health/services", async () => {
    const res = await api('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', info: { rabbitmq: up, redis: up }, error: {}, details: { rabbitmq: up, redis: up } });
    await expectEventually(async () => {
      const services = await api('GET', '/health/services');
      expect(services.status).toBe(200);
      expect(services.body.details).toEqual({
        channels: { status: 'up', state: 'up' },
        messages: { status: 'up', state: 'up' },
        notifications: { status: 'up', state: 'up' },
        'activation-rules': { status: 'up', state: 'up' },
      });
    });
  });

  it.each([
    ['channels', { rabbitmq: up, mongodb: up, redis: up }],
    ['messages', { rabbitmq: up, mongodb: up, redis: up }],
    ['notifications', { rabbitmq: up, mongodb: up, redis: up }],
    ['activation-rules', { rabbitmq: up, mongodb: up }],
  ] as const)('%s reports readiness of each of its dependencies', async (name, details) => {
    const res = await fetch(`http://127.0.0.1:${PORT[name]}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', info: details, error: {}, details });
  });

  it('metrics are exposed in Prometheus format', async () => {
    const res = await api('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('process_cpu_seconds_total{service="gateway"}');
  });

  describe('after a message is sent', () => {
    const org = newOrg();
    let socket: RealtimeClient | undefined;
    let channelId: string;
    let messageId: string;

    beforeAll(async () => {
      const tm = await org.teamMember();
      const patient = await org.patient();
      const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
      expect(activated.status).toBe(200);
      channelId = activated.body.id;
      socket = await connectRealtime(patient.token);
      const sent = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: `c-${randomUUID()}`, body: 'How are you feeling today?' } });
      expect(sent.status).toBe(201);
      messageId = sent.body.id;
    });

    afterAll(() => socket?.close());

    it('the gateway times the request by route template and status class, the RPC by command and outcome, and counts open sockets', async () => {
      const samples = await scrape(PORT.gateway);
      const http = find(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/v1/channels/:id/messages', status: '2xx', service: 'gateway' });
      expect(http).toHaveLength(1);
      expect(http[0].value).toBeGreaterThanOrEqual(1);
      const p99Bucket = find(samples, 'http_request_duration_seconds_bucket', { method: 'POST', route: '/v1/channels/:id/messages', status: '2xx', le: '+Inf' });
      expect(p99Bucket[0].value).toBe(http[0].value);
      expect(find(samples, 'rpc_client_duration_seconds_count', { command: 'messages.send', outcome: 'ok' })[0]?.value).toBeGreaterThanOrEqual(1);
      expect(find(samples, 'realtime_sockets')[0]?.value).toBeGreaterThanOrEqual(1);
      expect(find(samples, 'downstream_service_up', { target: 'messages' })[0]?.value).toBe(1);
      expect(find(samples, 'health_ready')[0]?.value).toBe(1);
      // bounded labels: no id reaches a label
      const labels = samples.flatMap((s) => Object.values(s.labels)).join(' ');
      expect(labels).not.toContain(channelId);
      expect(labels).not.toContain(messageId);
      expect(labels).not.toContain(org.orgId);
    });

    it('the gateway samples the depth of the shared dead-letter queue', async () => {
      await expectEventually(async () => expect(find(await scrape(PORT.gateway), 'rabbitmq_queue_messages', { queue: Topology.deadLetterQueue })).toHaveLength(1), {
        timeoutMs: 15_000,
        intervalMs: 500,
      });
    });

    it('the messages service times the command, samples its queues, outbox backlog and BullMQ jobs', async () => {
      // the gauges are sampled every 10 s: the first sample may predate the command consumer
      await expectEventually(
        async () => {
          const samples = await scrape(PORT.messages);
          expect(find(samples, 'rpc_server_duration_seconds_count', { command: 'messages.send', outcome: 'ok', service: 'messages' })[0]?.value).toBeGreaterThanOrEqual(1);
          expect(find(samples, 'rabbitmq_queue_consumers', { queue: 'wellifiy.messages.commands' })[0]?.value).toBeGreaterThanOrEqual(1);
          expect(find(samples, 'rabbitmq_queue_messages', { queue: 'wellifiy.messages.commands' })[0]?.value).toBeGreaterThanOrEqual(0);
          const backlog = find(samples, 'outbox_backlog', { collection: 'messages' });
          expect(backlog).toHaveLength(1);
          expect(backlog[0].value).toBeGreaterThanOrEqual(0);
          const jobs = find(samples, 'bullmq_jobs', { state: 'waiting' });
          expect(jobs.length).toBeGreaterThanOrEqual(1);
          expect(jobs.every((j) => j.value >= 0)).toBe(true);
          expect(find(samples, 'db_commands_total', { command: 'insert', outcome: 'ok' })[0]?.value).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: 15_000, intervalMs: 500 },
      );
    });

    it('the notifications service times the handling of message.created', async () => {
      await expectEventually(async () => {
        const samples = await scrape(PORT.notifications);
        expect(find(samples, 'event_handling_duration_seconds_count', { event: 'message.created', outcome: 'ok', service: 'notifications' })[0]?.value).toBeGreaterThanOrEqual(1);
        expect(find(samples, 'event_dead_letters_total', { event: 'message.created' })).toEqual([]);
      });
    });
  });

  it('the OpenAPI document lists the REST endpoints', async () => {
    const res = await api('GET', '/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/me', '/v1/channels', '/v1/channels/{id}', '/v1/channels/{id}/messages', '/v1/patients/{patientId}/channels/{type}/activate', '/health/services']),
    );
  });
});
