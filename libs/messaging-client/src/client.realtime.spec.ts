import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { MessageView } from '@wellifiy/contracts';
import { MessagingClient } from './client';
import { fetchStreamUploader } from './upload';

/*
 * The realtime half of the client against a stand-in gateway at its wire interface (HTTP + a real
 * Socket.IO server), so reconnect, token refresh and catch-up are checked in milliseconds. The same
 * behaviour against the real system: e2e/client.e2e-spec.ts.
 */

/** Polls until `fn` stops throwing (bounded). */
async function until(fn: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function standInGateway(opts: { acceptToken?: (token: string) => boolean } = {}) {
  const messages: MessageView[] = [];
  const state = { badge: 0, handshakeTokens: [] as string[] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const reply = (body: unknown): void => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v1/me') return reply({ userId: 'me' });
    if (url.pathname === '/v1/channels') {
      return reply([{ id: 'ch', orgId: 'o', type: 'dm', patientId: null, name: null, needsStaffing: false, members: [], archived: false, createdAt: '', updatedAt: '', unreadCount: 0 }]);
    }
    if (url.pathname === '/v1/me/badge') return reply({ total: state.badge, channels: [{ channelId: 'ch', unread: state.badge, muted: false, archived: false }] });
    if (url.pathname === '/v1/channels/ch/messages') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const rest = messages.filter((m) => m.seq > after);
      return reply({ messages: rest.slice(0, limit), hasMore: rest.length > limit });
    }
    res.statusCode = 404;
    reply({ statusCode: 404, error: 'Not Found', message: 'unknown' });
  });
  const io = new Server(server);
  io.use((socket, next) => {
    const token = String((socket.handshake.auth as { token?: unknown }).token ?? '');
    state.handshakeTokens.push(token);
    if (opts.acceptToken && !opts.acceptToken(token)) return next(new Error('unauthorized: jwt expired'));
    next();
  });
  io.on('connection', (socket) => {
    void socket.join('ch');
    socket.emit('ready', { channelCount: 1 });
  });
  /** Stores a message; `live: false` leaves its realtime event out (as if it was lost). */
  const publish = (seq: number, { live = true } = {}): void => {
    const m: MessageView = { id: `msg_${seq}`, channelId: 'ch', seq, senderId: 'other', senderKind: 'team_member', clientMessageId: `c-${seq}`, body: `m${seq}`, createdAt: '2026-01-01T00:00:00Z' };
    messages.push(m);
    if (live) io.to('ch').emit('message.created', m);
  };
  return {
    state,
    publish,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}

describe('MessagingClient realtime (stand-in gateway)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup(opts: Parameters<typeof standInGateway>[0] = {}, token: ConstructorParameters<typeof MessagingClient>[0]['token'] = 't') {
    const gw = standInGateway(opts);
    const baseUrl = await gw.listen();
    const client = new MessagingClient({
      baseUrl, token, transports: ['websocket'], uploader: fetchStreamUploader(), catchUpPageSize: 3,
      reconnectBackoff: { initialMs: 200, maxMs: 1000, jitter: 0 },
    });
    const delivered: number[] = [];
    const states: string[] = [];
    client.on('message', (m) => delivered.push(m.seq));
    client.on('connection', (c) => states.push(c.state));
    cleanups.push(() => client.close(), () => gw.close());
    return { gw, client, delivered, states };
  }

  it('after a dropped transport it reconnects with backoff and delivers every missed message once, in order', async () => {
    const { gw, client, delivered, states } = await setup();
    await client.connect();
    await client.openChannel('ch');
    gw.publish(1);
    gw.publish(2);
    await until(() => expect(delivered).toEqual([1, 2]));
    client.realtimeSocket?.io.engine.close();
    await until(() => expect(client.connectionState).toBe('disconnected'));
    for (let seq = 3; seq <= 9; seq++) gw.publish(seq); // missed: more than two catch-up pages
    await until(() => expect(client.connectionState).toBe('connected'));
    gw.publish(10);
    await until(() => expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('a live message after a hole is held until a catch-up fetches the missing one, then both come in order', async () => {
    const { gw, client, delivered } = await setup();
    await client.connect();
    await client.openChannel('ch');
    gw.publish(1);
    await until(() => expect(delivered).toEqual([1]));
    gw.publish(2, { live: false });
    gw.publish(3);
    await until(() => expect(delivered).toEqual([1, 2, 3]));
    gw.publish(3); // the same event again
    gw.publish(4);
    await until(() => expect(delivered).toEqual([1, 2, 3, 4]));
  });

  it('the handshake carries auth.token from the provider; after an unauthorized refusal it asks for a fresh one', async () => {
    const reasons: string[] = [];
    const { gw, client } = await setup({ acceptToken: (t) => t === 'fresh' }, ({ reason }) => {
      reasons.push(reason);
      return reason === 'rejected' ? 'fresh' : 'stale';
    });
    await client.connect();
    expect(gw.state.handshakeTokens.slice(0, 2)).toEqual(['stale', 'fresh']);
    expect(reasons).toContain('rejected');
  });

  it('after a reconnect the badge is re-read (changes while offline are not replayed as events)', async () => {
    const { gw, client } = await setup();
    await client.connect();
    expect(client.channels.getState()).toMatchObject({ synced: true, badge: 0 });
    client.realtimeSocket?.io.engine.close();
    await until(() => expect(client.connectionState).toBe('disconnected'));
    gw.state.badge = 4;
    await until(() => expect(client.channels.getState().badge).toBe(4));
    expect(client.channels.channel('ch')?.unreadCount).toBe(4);
  });

  it('sends wait while the connection is down; close() rejects what is still queued', async () => {
    const { client } = await setup();
    await client.connect();
    client.disconnect();
    const sent = client.send('ch', { body: 'queued' }).catch((e: unknown) => e);
    expect(client.pending().map((p) => p.body)).toEqual(['queued']);
    client.close();
    expect(await sent).toEqual(new Error('client is closed'));
  });
});
