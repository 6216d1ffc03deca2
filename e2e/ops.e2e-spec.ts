import { api } from './support/client';
import { E2E_BASE_PORT } from './support/system';

describe('operations endpoints', () => {
  it('liveness answers without a token', async () => {
    const res = await api('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('readiness checks RabbitMQ, Redis and every service', async () => {
    const res = await api('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({
      rabbitmq: 'ok',
      redis: 'ok',
      channels: 'ok',
      messages: 'ok',
      notifications: 'ok',
      'activation-rules': 'ok',
    });
  });

  it.each([
    ['channels', 1, { rabbitmq: 'ok', mongodb: 'ok', redis: 'ok' }],
    ['messages', 2, { rabbitmq: 'ok', mongodb: 'ok', redis: 'ok' }],
    ['notifications', 3, { rabbitmq: 'ok', mongodb: 'ok', redis: 'ok' }],
    ['activation-rules', 4, { rabbitmq: 'ok', mongodb: 'ok' }],
  ])('%s reports readiness of each of its dependencies', async (_name, offset, checks) => {
    const res = await fetch(`http://127.0.0.1:${E2E_BASE_PORT + Number(offset)}/health/ready`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).toMatchObject(checks);
  });

  it('metrics are exposed in Prometheus format', async () => {
    const res = await api('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('process_cpu_seconds_total{service="gateway"}');
  });

  it('the OpenAPI document lists the REST endpoints', async () => {
    const res = await api('GET', '/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/me', '/v1/channels', '/v1/channels/{id}', '/v1/channels/{id}/messages', '/v1/patients/{patientId}/channels/{type}/activate']),
    );
  });
});
