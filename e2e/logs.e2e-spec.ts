import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expectEventually } from '@wellifiy/testing';
import { api, newOrg } from './support/client';

/** Where global-setup sends each app's output (one file per app, appended). */
const LOG_DIR = path.resolve(__dirname, '../reports/e2e-logs');

type Line = Record<string, any>;

/** The JSON lines of one app's log that carry `correlationId`; anything else in the file (a non-JSON line) fails the test. */
function linesOf(app: string, correlationId: string): Line[] {
  const file = path.join(LOG_DIR, `${app}.log`);
  if (!existsSync(file)) return [];
  const found: Line[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (!raw.includes(correlationId)) continue;
    found.push(JSON.parse(raw) as Line);
  }
  return found;
}

/**
 * Issue 14 item 7: every service logs one JSON line per HTTP request, command and event it handled, with the
 * correlation id of the request that caused it, its organisation and its own name; what a person wrote is not there.
 */
describe('logs: one send is followed by its correlation id through gateway, messages and notifications', () => {
  const org = newOrg();
  const correlationId = `e2e-logs-${randomUUID()}`;
  const marker = `Logs-marker-${randomUUID().slice(0, 8)} about my prescription`;
  let channelId: string;

  beforeAll(async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
    const sent = await api('POST', `/v1/channels/${channelId}/messages`, {
      token: patient.token,
      correlationId,
      body: { clientMessageId: `c-${randomUUID()}`, body: marker },
    });
    expect(sent.status).toBe(201);
    expect(sent.headers.get('x-correlation-id')).toBe(correlationId);
  });

  it('the gateway logs the request: method, path without query, status, duration, service, correlationId and orgId', async () => {
    await expectEventually(async () => {
      const request = linesOf('gateway', correlationId).find((l) => l.msg === 'request completed');
      expect(request).toMatchObject({
        level: 'info',
        service: 'gateway',
        correlationId,
        orgId: org.orgId,
        req: { method: 'POST', url: `/v1/channels/${channelId}/messages` },
        res: { statusCode: 201 },
        durationMs: expect.any(Number),
      });
      expect(Object.keys(request?.req ?? {}).sort()).toEqual(['method', 'url']);
    }, { timeoutMs: 10_000 });
  });

  it('the messages service logs the command it handled, with the same correlation id', async () => {
    await expectEventually(async () => {
      expect(linesOf('messages', correlationId)).toContainEqual(
        expect.objectContaining({ msg: 'rpc handled', rpc: 'messages.send', outcome: 'ok', service: 'messages', correlationId, orgId: org.orgId, durationMs: expect.any(Number) }),
      );
    }, { timeoutMs: 10_000 });
  });

  it('the notifications service (and the channels service) log the message.created they handled, with the same correlation id', async () => {
    await expectEventually(async () => {
      for (const app of ['notifications', 'channels']) {
        expect(linesOf(app, correlationId)).toContainEqual(
          expect.objectContaining({ msg: 'event handled', event: 'message.created', outcome: 'ok', service: app, correlationId, orgId: org.orgId, attempt: 1 }),
        );
      }
    }, { timeoutMs: 15_000 });
  });

  it('no log line of any service holds the message text', () => {
    for (const app of ['gateway', 'channels', 'messages', 'notifications', 'activation-rules']) {
      const file = path.join(LOG_DIR, `${app}.log`);
      expect({ app, leaked: existsSync(file) && readFileSync(file, 'utf8').includes(marker.slice(0, 20)) }).toEqual({ app, leaked: false });
    }
  });
});
