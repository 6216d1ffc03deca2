import { Writable } from 'node:stream';
import { runInContext } from '@wellifiy/messaging';
import { createPinoLogger, loggedPath, REDACTED_PATHS } from './logger';

function capture(): { stream: Writable; lines: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('createPinoLogger', () => {
  it('writes one JSON line with service, level name and time; LOG_LEVEL=log is info (debug is dropped)', () => {
    const out = capture();
    const log = createPinoLogger('messages', 'log', { destination: out.stream });
    log.info({ rpc: 'messages.send' }, 'rpc handled');
    log.debug('not written');
    expect(out.lines()).toEqual([expect.objectContaining({ level: 'info', service: 'messages', rpc: 'messages.send', msg: 'rpc handled', time: expect.any(String) })]);
  });

  it('adds the correlationId and orgId of the work under way, and nothing outside any work', () => {
    const out = capture();
    const log = createPinoLogger('notifications', 'log', { destination: out.stream });
    runInContext({ correlationId: 'corr-1', orgId: 'org_1' }, () => log.info('inside'));
    log.info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ msg: 'inside', correlationId: 'corr-1', orgId: 'org_1', service: 'notifications' });
    expect(outside).not.toHaveProperty('correlationId');
    expect(outside).not.toHaveProperty('orgId');
  });

  it('redacts bodies, names, emails and tokens by path, at the top and one level down', () => {
    const out = capture();
    const log = createPinoLogger('gateway', 'log', { destination: out.stream });
    log.info({
      body: 'I feel unwell', email: 'pat@example.com',
      message: { id: 'm_1', body: 'Blood results', text: 'x' },
      user: { userId: 'pt_1', firstName: 'Pat', lastName: 'Ient', displayName: 'PI', email: 'pat@example.com' },
      auth: { token: 'eyJ.secret', password: 'hunter2' },
      req: { headers: { authorization: 'Bearer eyJ.secret', cookie: 'sid=1' } },
    }, 'careless line');
    const line = JSON.stringify(out.lines()[0]);
    for (const secret of ['I feel unwell', 'pat@example.com', 'Blood results', 'Pat', 'Ient', 'eyJ.secret', 'hunter2', 'sid=1']) expect(line).not.toContain(secret);
    expect(out.lines()[0]).toMatchObject({ message: { id: 'm_1', body: '[redacted]' }, user: { userId: 'pt_1', firstName: '[redacted]' } });
    expect(REDACTED_PATHS).toEqual(expect.arrayContaining(['body', '*.body', '*.email', '*.token', 'req.headers.authorization']));
  });

  it('redacts one level down without changing the logged objects, in class instances and in serialized errors too', () => {
    const out = capture();
    const log = createPinoLogger('gateway', 'log', { destination: out.stream });
    class Person {
      constructor(readonly id: string, readonly email: string) {}
    }
    const message = { id: 'm_1', body: 'Blood results', seq: 3 };
    const err = Object.assign(new Error('failed'), { reason: 'Pat asked', code: 'X' });
    log.info({ message, person: new Person('pt_1', 'pat@example.com'), list: [{ body: 'kept as pino kept it' }], n: 1 }, 'line');
    log.error({ err }, 'failed line');
    const [first, second] = out.lines();
    expect(first).toMatchObject({ message: { id: 'm_1', body: '[redacted]', seq: 3 }, person: { id: 'pt_1', email: '[redacted]' }, list: [{ body: 'kept as pino kept it' }], n: 1 });
    expect(second.err).toMatchObject({ type: 'Error', message: 'failed', reason: '[redacted]', code: 'X' });
    expect(message.body).toBe('Blood results');
    expect(err.reason).toBe('Pat asked');
  });

  it('request lines name the path without its query string, media tickets masked', () => {
    expect(loggedPath('/v1/channels/ch_1/members/tm_2?reason=Pat%20asked')).toBe('/v1/channels/ch_1/members/tm_2');
    expect(loggedPath('/internal/media/org_1/uploads/WxKzEfZSodnWWQVq')).toBe('/internal/media/org_1/uploads/[redacted]');
    expect(loggedPath('/internal/media/org_1/tickets/wSRfehddeoGqPaQB?x=1')).toBe('/internal/media/org_1/tickets/[redacted]');
    expect(loggedPath(undefined)).toBe('');
  });
});
