import { expectEventually } from '@wellifiy/testing';
import { api, newOrg } from './support/client';
import { startSystemApp, stopSystemApp } from './support/restart-app';

/**
 * One downstream service stops: the gateway stays ready (it is not taken out of rotation for it), that service's
 * routes answer 503 SERVICE_UNAVAILABLE with Retry-After at once instead of waiting for the RPC timeout, the other
 * routes go on working; once the service runs again, its routes recover.
 */
describe('a downstream service is down: its routes degrade to 503, the gateway stays ready', () => {
  const org = newOrg();
  let manager: Awaited<ReturnType<typeof org.teamMember>>;
  let stopped = false;
  const rules = () => api('GET', '/v1/admin/activation-rules/care_team', { token: manager.token });

  beforeAll(async () => {
    manager = await org.teamMember(undefined, ['settings:manage', 'messaging:manage']);
    expect((await rules()).status).toBe(200);
    await stopSystemApp('activation-rules');
    stopped = true;
  });

  afterAll(async () => {
    if (stopped) await startSystemApp('activation-rules');
  });

  it('answers 503 quickly on the stopped service\'s routes, with a clear message and Retry-After', async () => {
    await expectEventually(async () => expect((await rules()).status).toBe(503));
    const startedAt = Date.now();
    const res = await rules();
    const took = Date.now() - startedAt;
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('activation-rules service is unavailable') });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // far below the RPC timeout (5 s) the request would otherwise wait in the command queue
    expect(took).toBeLessThan(1000);
  });

  it('keeps the gateway ready and the other services\' routes working; /health/services names the one that is down', async () => {
    const ready = await api('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect((await api('GET', '/v1/channels', { token: manager.token })).status).toBe(200);
    expect((await api('GET', '/v1/me', { token: manager.token })).status).toBe(200);
    const services = await api('GET', '/health/services');
    expect(services.status).toBe(503);
    expect(services.body.error).toEqual({ 'activation-rules': { status: 'down', message: 'no instance consumes its commands' } });
    expect(Object.keys(services.body.info)).toEqual(expect.arrayContaining(['channels', 'messages', 'notifications']));
  });

  it('recovers once the service runs again', async () => {
    await startSystemApp('activation-rules');
    stopped = false;
    await expectEventually(async () => expect((await rules()).status).toBe(200));
    await expectEventually(async () => expect((await api('GET', '/health/services')).status).toBe(200));
  });
});
