import type { MessageView } from '@wellifiy/contracts';
import { MessagingClient } from './client';
import { MessagingApiError } from './errors';
import { fetchStreamUploader } from './upload';

/** A gateway stand-in at the fetch interface: answers from a script and records every request. */
function fakeGateway(script: ((req: { url: string; method: string; body: any; auth: string }) => Response | Error)[]) {
  const calls: { url: string; method: string; body: any; auth: string }[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const req = { url: String(input), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined, auth: (init?.headers as Record<string, string>).authorization };
    calls.push(req);
    const next = script[Math.min(calls.length - 1, script.length - 1)](req);
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const stored = (clientMessageId: string, seq: number, body = 'hi'): MessageView => ({
  id: `msg_${seq}`, channelId: 'ch_1', seq, senderId: 'me', senderKind: 'team_member', clientMessageId, body, createdAt: '2026-01-01T00:00:00Z',
});

const client = (fetchImpl: typeof fetch, token: ConstructorParameters<typeof MessagingClient>[0]['token'] = 't1') =>
  new MessagingClient({ baseUrl: 'http://gateway.test/', token, fetch: fetchImpl, uploader: fetchStreamUploader(fetchImpl), retryBackoff: { initialMs: 1, maxMs: 5, jitter: 0 } });

describe('MessagingClient.send (idempotent, retried)', () => {
  it('retries a 503 and a network error under the same clientMessageId, then resolves with the stored message', async () => {
    const gw = fakeGateway([
      () => json(503, { statusCode: 503, error: 'Service Unavailable', message: 'busy' }, { 'retry-after': '0' }),
      () => new TypeError('fetch failed'),
      (req) => json(201, stored(req.body.clientMessageId, 1)),
    ]);
    const m = await client(gw.fetchImpl).send('ch_1', { body: 'hi', clientMessageId: 'c-1' });
    expect(m.seq).toBe(1);
    expect(gw.calls.map((c) => c.body.clientMessageId)).toEqual(['c-1', 'c-1', 'c-1']);
    expect(gw.calls[0].url).toBe('http://gateway.test/v1/channels/ch_1/messages');
  });

  it('honours Retry-After on 429 before trying again', async () => {
    const gw = fakeGateway([
      () => json(429, { statusCode: 429, error: 'Too Many Requests', message: 'slow down' }, { 'retry-after': '0.3' }),
      (req) => json(201, stored(req.body.clientMessageId, 1)),
    ]);
    const started = Date.now();
    await client(gw.fetchImpl).send('ch_1', { body: 'hi' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(gw.calls).toHaveLength(2);
  });

  it('never retries a 4xx: one attempt, a typed MessagingApiError, and the queue moves on', async () => {
    const gw = fakeGateway([
      () => json(400, { statusCode: 400, error: 'Bad Request', message: 'body must not be empty' }),
      (req) => json(201, stored(req.body.clientMessageId, 1)),
    ]);
    const c = client(gw.fetchImpl);
    const bad = c.send('ch_1', { body: ' ' });
    const good = c.send('ch_1', { body: 'next' });
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'body must not be empty' });
    await expect(bad).rejects.toBeInstanceOf(MessagingApiError);
    await expect(good).resolves.toMatchObject({ seq: 1 });
    expect(gw.calls).toHaveLength(2);
    expect(c.pending()).toEqual([]);
  });

  it('sends leave one at a time in the order written, even when the first needs retries', async () => {
    let first = true;
    const gw = fakeGateway([
      (req) => {
        if (req.body.body === 'one' && first) {
          first = false;
          return new TypeError('socket hang up');
        }
        return json(201, stored(req.body.clientMessageId, 1));
      },
    ]);
    const c = client(gw.fetchImpl);
    await Promise.all(['one', 'two', 'three'].map((body) => c.send('ch_1', { body })));
    expect(gw.calls.map((call) => call.body.body)).toEqual(['one', 'one', 'two', 'three']);
  });

  it('a thread reply goes to the root message with its own clientMessageId', async () => {
    const gw = fakeGateway([(req) => json(201, { ...stored(req.body.clientMessageId, 2), threadId: 'msg_1' })]);
    const reply = await client(gw.fetchImpl).reply('ch_1', 'msg_1', { body: 'in thread', clientMessageId: 'r-1' });
    expect(reply.threadId).toBe('msg_1');
    expect(gw.calls[0]).toMatchObject({ method: 'POST', url: 'http://gateway.test/v1/channels/ch_1/messages/msg_1/replies', body: { clientMessageId: 'r-1', body: 'in thread' } });
  });
});

describe('MessagingClient REST', () => {
  it('asks the token provider for a fresh token when the gateway rejects one, and retries once', async () => {
    const reasons: string[] = [];
    const gw = fakeGateway([
      () => json(401, { statusCode: 401, error: 'Unauthorized', message: 'jwt expired' }),
      () => json(200, { userId: 'me' }),
    ]);
    const me = await client(gw.fetchImpl, ({ reason }) => {
      reasons.push(reason);
      return reason === 'rejected' ? 'fresh' : 'stale';
    }).rest.me();
    expect(me.userId).toBe('me');
    expect(reasons).toEqual(['request', 'rejected']);
    expect(gw.calls.map((c) => c.auth)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('encodes path segments (ids and emoji) and query parameters', async () => {
    const gw = fakeGateway([() => json(200, { messages: [], hasMore: false })]);
    const c = client(gw.fetchImpl);
    await c.rest.listMessages('ch/1', { after: 3, limit: 10, roots: false });
    await c.rest.react('ch_1', 'msg_1', '👍');
    expect(gw.calls[0].url).toBe('http://gateway.test/v1/channels/ch%2F1/messages?after=3&limit=10&roots=false');
    expect(gw.calls[1].url).toBe(`http://gateway.test/v1/channels/ch_1/messages/msg_1/reactions/${encodeURIComponent('👍')}`);
  });

  it('markRead updates the channel list and badge from the answer', async () => {
    const gw = fakeGateway([() => json(200, { channelId: 'ch_1', readSeq: 4, unread: 0, total: 2 })]);
    const c = client(gw.fetchImpl);
    c.channels.dispatch({ type: 'synced', channels: [{ id: 'ch_1', orgId: 'o', type: 'dm', patientId: null, name: null, needsStaffing: false, members: [], archived: false, createdAt: '', updatedAt: '', unreadCount: 3 }], summary: { total: 5, channels: [] } });
    await c.markRead('ch_1', 4);
    expect(c.channels.getState()).toMatchObject({ badge: 2, channels: { ch_1: { unreadCount: 0 } } });
  });
});
