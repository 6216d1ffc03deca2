import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { expectEventually } from '@wellifiy/testing';
import { api, newOrg, publishInbound } from './support/client';
import { tapDeadLetters } from './support/dead-letters';
import { E2E_BASE_PORT } from './support/system';

/** JSON nested `depth` arrays deep inside a field, written as text (JSON.stringify of such a value would itself recurse). */
const deeplyNested = (depth: number, wrap: (inner: string) => string = (inner) => `{"clientMessageId":"deep-1","body":${inner}}`): string =>
  wrap(`${'['.repeat(depth)}${']'.repeat(depth)}`);

/** One raw HTTP/1.1 exchange, for what fetch refuses to send (a NUL in a header); resolves with the status line. */
function rawStatusLine(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(E2E_BASE_PORT, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(received.split('\r\n')[0] ?? ''));
  });
}

describe('issue 11: hostile input never gets a 500', () => {
  const org = newOrg();
  let token: string;
  let channelId: string;

  beforeAll(async () => {
    const tm = await org.teamMember(undefined, ['messaging:manage', 'settings:manage']);
    const patient = await org.patient();
    token = tm.token;
    channelId = (await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token })).body.id;
  });

  describe('JSON nested thousands deep gets 400 naming the depth, before any transformation', () => {
    const routes: [string, () => string, (inner: string) => string][] = [
      ['POST', () => `/v1/channels/${channelId}/messages`, (inner) => `{"clientMessageId":"deep-1","body":${inner}}`],
      ['POST', () => '/v1/channels', (inner) => `{"type":"group","name":"x","memberIds":${inner}}`],
      ['PATCH', () => '/v1/me/profile', (inner) => `{"displayName":${inner}}`],
      ['PUT', () => '/v1/me/notification-settings', (inner) => `{"email":${inner}}`],
      ['POST', () => `/v1/channels/${channelId}/read`, (inner) => `{"seq":${inner}}`],
      ['PUT', () => '/v1/admin/activation-rules/care_team', (inner) => `{"autoActivate":true,"teamMemberIds":${inner}}`],
    ];

    it.each(routes)('%s %s', async (method, path, wrap) => {
      const res = await api(method, path(), { token, rawBody: deeplyNested(5_000, wrap) });

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(res.body.message).toMatch(/nested more than \d+ levels deep/);
    });

    it('a nesting within the bound still reaches validation (a wrong type, not a depth refusal)', async () => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, rawBody: deeplyNested(3) });

      expect(res.status).toBe(400);
      expect(res.body.message).toContain('body');
      expect(res.body.message).not.toMatch(/nested more than/);
    });
  });

  describe('a NUL character gets 400 naming where it was, wherever it comes', () => {
    it.each([
      ['GET /v1/channels/%00/members', 'GET', '/v1/channels/%00/members'],
      ['GET /v1/channels/a%00b', 'GET', '/v1/channels/a%00b'],
      ['POST /v1/patients/%00/channels/care_team/activate', 'POST', '/v1/patients/%00/channels/care_team/activate'],
      ['DELETE /v1/channels/:id/members/%00', 'DELETE', '/channels/:id/members/%00'],
      ['GET /v1/media/med_%00', 'GET', '/v1/media/med_%00'],
    ])('in a path parameter: %s', async (_name, method, path) => {
      const res = await api(method, path.replace('/channels/:id', `/v1/channels/${channelId}`), { token });

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.message).toContain('NUL');
    });

    it('in a query string value', async () => {
      const res = await api('GET', '/v1/channels?patientId=pt%00x', { token });

      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/query\.patientId.*NUL/);
    });

    it('in a body string, naming the field', async () => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, body: { clientMessageId: 'nul-1', body: 'hello\u0000there' } });

      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/body\.body.*NUL/);
    });

    it('in a body key', async () => {
      const res = await api('PATCH', '/v1/me/profile', { token, rawBody: '{"display\\u0000Name":"x"}' });

      expect(res.status).toBe(400);
      expect(res.body.message).toContain('NUL');
    });

    it('in the correlation id header: the request is refused with 400 before any handler', async () => {
      const status = await rawStatusLine(`GET /v1/channels HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nX-Correlation-Id: a\u0000b\r\nConnection: close\r\n\r\n`);

      expect(status).toMatch(/^HTTP\/1\.1 400/);
    });
  });

  describe('a lone surrogate gets 400 naming the field', () => {
    it.each([
      ['a high surrogate alone', '"hi \\ud800 there"'],
      ['a low surrogate alone', '"\\udc00"'],
      ['a high surrogate at the end', '"end\\ud83d"'],
    ])('%s in a message body', async (_name, json) => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, rawBody: `{"clientMessageId":"sur-1","body":${json}}` });

      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/body\.body.*surrogate/);
    });

    it('a well-formed pair (an emoji) is accepted', async () => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, rawBody: '{"clientMessageId":"sur-ok","body":"\\ud83d\\ude00"}' });

      expect(res.status).toBe(201);
      expect(res.body.body).toBe('😀');
    });
  });

  it('prototype-pollution keys are refused naming the key, and pollute nothing', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, rawBody: `{"clientMessageId":"pp-1","body":"x","${key}":{"isAdmin":true}}` });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`"${key}"`);
    }
    const after = await api('GET', `/v1/channels/${channelId}/messages`, { token });
    expect(after.status).toBe(200);
  });
});

describe('issue 11: inbound events with a NUL or a lone surrogate are dead-lettered naming the field', () => {
  const deadLetters = tapDeadLetters();

  it.each([
    ['a NUL', 'Pa\u0000t', /data\.firstName.*NUL/],
    ['a lone surrogate', 'Pa\ud800t', /data\.firstName.*surrogate/],
  ])('%s in patient.created firstName; the next valid event is processed', async (_name, firstName, reason) => {
    const orgId = `org_${randomUUID().slice(0, 8)}`;
    // JSON.stringify writes a lone surrogate as a \\ud800 escape, as a non-Node publisher might.
    const badId = await publishInbound('patient.created', orgId, { patientId: 'pt_bad', firstName, lastName: 'X' });
    await expectEventually(() => expect(deadLetters.reason(badId, 'wellifiy.channels.events')).toMatch(reason));
    const org = newOrg();
    await org.patient(); // the consumer keeps going
  });

  it('a NUL in the envelope (orgId) is dead-lettered naming orgId', async () => {
    const id = await publishInbound('team-member.created', 'org_\u0000x', { teamMemberId: 'tm_1', firstName: 'A', lastName: 'B' });
    await expectEventually(() => expect(deadLetters.reason(id, 'wellifiy.channels.events')).toMatch(/orgId.*NUL/));
  });
});
