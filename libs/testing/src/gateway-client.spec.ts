import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { GatewayClient, socketReady } from './gateway-client';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in gateway on a free port: answers by path, remembers the last request. */
describe('GatewayClient', () => {
  let server: Server;
  let sockets: SocketServer;
  let client: GatewayClient;
  let seen: Seen;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        if (req.url === '/json') res.writeHead(409, { 'content-type': 'application/json', 'x-correlation-id': 'c-1' }).end('{"code":"CONFLICT"}');
        else if (req.url === '/text') res.writeHead(200, { 'content-type': 'text/plain' }).end('up 1');
        else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000);
        else res.writeHead(204).end();
      });
    });
    sockets = new SocketServer(server);
    sockets.use((socket, next) => (socket.handshake.auth.token === 'good' ? next() : next(new Error('UNAUTHORIZED'))));
    sockets.on('connection', (socket) => socket.emit('ready'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    client = new GatewayClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  });

  it('answers an error status as it came, with the JSON body and the headers; sends token, correlation id and JSON', async () => {
    const res = await client.request('POST', '/json', { token: 't0k', correlationId: 'c-1', body: { a: 1 } });
    expect({ status: res.status, body: res.body, correlation: res.headers.get('x-correlation-id') }).toEqual({ status: 409, body: { code: 'CONFLICT' }, correlation: 'c-1' });
    expect(seen).toMatchObject({ method: 'POST', url: '/json', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({ authorization: 'Bearer t0k', 'x-correlation-id': 'c-1', 'content-type': 'application/json' });
  });

  it('an anonymous call carries no authorization; a raw body goes as written', async () => {
    await client.request('PUT', '/none', { rawBody: '{"broken' });
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen).toMatchObject({ method: 'PUT', body: '{"broken', headers: { 'content-type': 'application/json' } });
  });

  it('a body that is not JSON comes back as its text; an empty one as null', async () => {
    expect((await client.request('GET', '/text')).body).toBe('up 1');
    expect((await client.request('GET', '/empty')).body).toBeNull();
  });

  it('a call that outlasts timeoutMs throws', async () => {
    await expect(client.request('GET', '/slow', { timeoutMs: 100 })).rejects.toThrow();
  });

  it('a socket with a good token is ready; one the server refuses rejects with its connect_error', async () => {
    const good = client.socket('good');
    await socketReady(good);
    good.close();
    const bad = client.socket({ token: 'bad' });
    await expect(socketReady(bad)).rejects.toThrow('UNAUTHORIZED');
    bad.close();
  });
});
