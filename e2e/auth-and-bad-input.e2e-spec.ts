import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET, tokenFor } from '@wellifiy/testing';
import { api, ApiResponse, connectionRefusal, newOrg } from './support/client';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'tm_auth',
  org: 'org_auth',
  kind: 'team_member',
  perms: [],
  exp: Math.floor(Date.now() / 1000) + 600,
  ...over,
});

describe('tokens are checked for signature, algorithm, expiry and claims', () => {
  const cases: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['a token signed with another secret', () => jwt.sign(claims(), 'some-other-secret-0123456789abcdef0123')],
    ['an expired token', () => jwt.sign(claims({ exp: Math.floor(Date.now() / 1000) - 10 }), TEST_JWT_SECRET)],
    ['an alg:none token', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['a token with a forged payload', () => {
      const [h, , s] = jwt.sign(claims(), TEST_JWT_SECRET).split('.');
      return `${h}.${b64(claims({ perms: ['messaging:manage'] }))}.${s}`;
    }],
    ['a token without exp', () => jwt.sign({ sub: 'a', org: 'o', kind: 'team_member', perms: [] }, TEST_JWT_SECRET)],
    ['a token with an unknown kind', () => jwt.sign(claims({ kind: 'admin' }), TEST_JWT_SECRET)],
    ['a token without org', () => jwt.sign(claims({ org: undefined }), TEST_JWT_SECRET)],
    ['garbage', () => 'not.a.jwt'],
  ];

  it.each(cases)('HTTP refuses %s with 401 and the error shape', async (_name, make) => {
    const res = await api('GET', '/v1/channels', { token: make() });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('token') });
  });

  it.each(cases)('Socket.IO refuses %s at the handshake', async (_name, make) => {
    const token = make();
    const message = await connectionRefusal(token === undefined ? {} : { token });
    expect(message).toMatch(/^unauthorized/);
  });

  it('a valid token is accepted', async () => {
    const res = await api('GET', '/v1/channels', { token: jwt.sign(claims(), TEST_JWT_SECRET) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });
});

describe('bad input gets a clear 4xx and loses nothing', () => {
  const org = newOrg();
  let token: string;
  let channelId: string;
  const send = (body: unknown): Promise<ApiResponse> => api('POST', `/v1/channels/${channelId}/messages`, { token, body });

  beforeAll(async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    token = tm.token;
    const ch = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token });
    channelId = ch.body.id;
  });

  it('unknown fields are refused, naming the field', async () => {
    const res = await send({ clientMessageId: 'a1', body: 'hi', isAdmin: true });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain('isAdmin');
  });

  it('wrong types are refused, naming the field', async () => {
    const res = await send({ clientMessageId: 42, body: ['x'] });
    expect(res.status).toBe(400);
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body', 'clientMessageId']);
  });

  it('a missing body is refused', async () => {
    const res = await send({ clientMessageId: 'a2' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('body');
  });

  it('text over 10 000 characters is refused with 400 naming body; exactly 10 000 is accepted', async () => {
    const tooLong = await send({ clientMessageId: 'a3', body: 'x'.repeat(10_001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('body must be at most 10000 characters');
    const limit = await send({ clientMessageId: 'a4', body: 'y'.repeat(10_000) });
    expect(limit.status).toBe(201);
    expect(limit.body.body).toHaveLength(10_000);
  });

  it('a request body beyond the size limit gets 413', async () => {
    const res = await send({ clientMessageId: 'a5', body: 'z'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413 });
  });

  it('malformed JSON gets 400', async () => {
    const res = await api('POST', `/v1/channels/${channelId}/messages`, { token, rawBody: '{"clientMessageId": "a6", "body": ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('bad paging parameters get 400 naming them', async () => {
    for (const [q, field] of [['after=abc', 'after'], ['limit=500', 'limit'], ['before=0', 'before'], ['after=-1', 'after']]) {
      const res = await api('GET', `/v1/channels/${channelId}/messages?${q}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    }
  });

  it('an unknown channel type in the activation path gets 400; an unknown route gets 404', async () => {
    const bad = await api('POST', '/v1/patients/p1/channels/staff/activate', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('type must be one of: care_team, service_team');
    const unknown = await api('GET', '/v1/nothing-here', { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('after all of that, the channel holds exactly the one valid message', async () => {
    const page = await api('GET', `/v1/channels/${channelId}/messages`, { token });
    expect(page.body.messages.map((m: { clientMessageId: string; seq: number }) => [m.clientMessageId, m.seq])).toEqual([['a4', 1]]);
  });

  it('a patient token for another organisation cannot read this channel', async () => {
    const res = await api('GET', `/v1/channels/${channelId}/messages`, { token: tokenFor({ userId: 'pt_x', orgId: 'org_elsewhere', kind: 'patient' }) });
    expect(res.status).toBe(404);
  });
});
