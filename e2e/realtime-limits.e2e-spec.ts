import { expectEventually } from '@wellifiy/testing';
import { api, connectionRefusalDetail, connectRealtime, newOrg, RealtimeClient } from './support/client';
import { SecondGateway, startSecondGateway } from './support/second-gateway';

/** The gateway's defaults (GatewayConfig): the e2e system runs with them. */
const MAX_CONNECTIONS_PER_USER = 20;
const EVENTS_PER_MINUTE = 120;
const PORTAL = 'https://portal.example';

/**
 * Item 3 of the security issue (the socket part of item 7): a per-user socket cap counted across gateway
 * replicas, a rate limit on client → server socket events, Socket.IO CORS from CORS_ORIGINS, and socket
 * payload strings without NUL characters or lone surrogates.
 */
describe('item 3 (socket limits)', () => {
  const org = newOrg();
  const sockets: RealtimeClient[] = [];
  let second: SecondGateway;

  beforeAll(async () => {
    // This replica allows one browser origin only; the system's own gateway runs with CORS_ORIGINS=*.
    second = await startSecondGateway(1, { CORS_ORIGINS: PORTAL });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await second?.stop();
  });

  it('item 3: a user holds at most SOCKET_MAX_CONNECTIONS_PER_USER sockets, counted across gateway replicas; a closed one frees its slot', async () => {
    const tm = await org.teamMember();
    const mine: RealtimeClient[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_USER; i++) {
      mine.push(await connectRealtime(tm.token, i % 2 ? { url: second.url } : {}));
    }
    sockets.push(...mine);
    for (const url of [undefined, second.url]) {
      const refused = await connectionRefusalDetail({ token: tm.token }, { url });
      expect(refused.message).toMatch(/too many connections/);
      expect(refused.data).toEqual({ code: 'TOO_MANY_CONNECTIONS', statusCode: 429 });
    }
    // Another user is not affected.
    sockets.push(await connectRealtime((await org.teamMember()).token));

    mine[0].close();
    await expectEventually(async () => sockets.push(await connectRealtime(tm.token, { url: second.url })));
  });

  it('item 3: client → server socket events are rate limited per socket (error RATE_LIMITED, the event is dropped)', async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(care.status).toBe(200);
    const typist = await connectRealtime(tm.token);
    sockets.push(typist);
    for (let i = 0; i < EVENTS_PER_MINUTE + 5; i++) typist.socket.emit('typing', { channelId: care.body.id });
    await expectEventually(() =>
      expect(typist.received('error')).toContainEqual(expect.objectContaining({ event: 'typing', code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) })),
    );
    expect(typist.received('error').filter((e) => e.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['a NUL character', 'ch_\u0000x', /NUL/],
    ['a lone high surrogate', 'ch_\uD800x', /lone surrogate/],
    ['a lone low surrogate', 'ch_\uDC00x', /lone surrogate/],
  ])('item 3: a socket event payload string with %s is refused with VALIDATION_FAILED naming the problem', async (_what, channelId, problem) => {
    const tm = await org.teamMember();
    const socket = await connectRealtime(tm.token);
    sockets.push(socket);
    socket.socket.emit('typing', { channelId });
    await expectEventually(() => expect(socket.received('error')).toContainEqual(expect.objectContaining({ event: 'typing', code: 'VALIDATION_FAILED', message: expect.stringMatching(problem) })));
    expect(socket.disconnectReason).toBeNull();
  });

  it('item 3: Socket.IO CORS follows CORS_ORIGINS: another site is refused (WebSocket and polling), the portal and non-browser clients are let in', async () => {
    const tm = await org.teamMember();
    const evil = await connectionRefusalDetail({ token: tm.token }, { url: second.url, extraHeaders: { origin: 'https://evil.example' } });
    expect(evil.message).toEqual(expect.any(String));
    sockets.push(await connectRealtime(tm.token, { url: second.url, extraHeaders: { origin: PORTAL } }));
    sockets.push(await connectRealtime(tm.token, { url: second.url }));

    const polling = (origin: string): Promise<Response> => fetch(`${second.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    const fromEvil = await polling('https://evil.example');
    expect(fromEvil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(fromEvil.status).toBe(403);
    const fromPortal = await polling(PORTAL);
    expect(fromPortal.status).toBe(200);
    expect(fromPortal.headers.get('access-control-allow-origin')).toBe(PORTAL);
  });
});
