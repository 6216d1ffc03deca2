import 'reflect-metadata';
import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { STATUS_BY_CODE } from './error-status';
import { DEFAULT_RETRY_AFTER_MS, HttpErrorFilter } from './http-error.filter';

/** The parts of an express response the filter uses, recording what was sent. */
class FakeResponse {
  statusCode?: number;
  body?: unknown;
  headersSent = false;
  readonly headers: Record<string, string> = {};

  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  json(body: unknown): this {
    this.body = body;
    this.headersSent = true;
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
}

function fakeHost(opts: { type?: string; correlationId?: string } = {}): { host: ArgumentsHost; res: FakeResponse } {
  const res = new FakeResponse();
  const req = {
    method: 'POST',
    route: { path: '/v1/channels/:id/messages' },
    header: (name: string): string | undefined => (name.toLowerCase() === 'x-correlation-id' ? opts.correlationId : undefined),
  };
  const host = {
    getType: () => opts.type ?? 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => undefined }),
  } as unknown as ArgumentsHost;
  return { host, res };
}

describe('HttpErrorFilter', () => {
  const filter = new HttpErrorFilter();

  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  function send(exception: unknown, opts: { correlationId?: string } = {}): FakeResponse {
    const { host, res } = fakeHost(opts);
    filter.catch(exception, host);
    return res;
  }

  it.each([
    [ErrorCode.ValidationFailed, 400, 'Bad Request'],
    [ErrorCode.Forbidden, 403, 'Forbidden'],
    [ErrorCode.NotFound, 404, 'Not Found'],
    [ErrorCode.PatientNotFound, 404, 'Not Found'],
    [ErrorCode.NotAMember, 404, 'Not Found'],
    [ErrorCode.Conflict, 409, 'Conflict'],
    [ErrorCode.ChannelLastTeamMember, 409, 'Conflict'],
    [ErrorCode.ChannelAlreadyActive, 409, 'Conflict'],
    [ErrorCode.ChannelMemberLimitReached, 409, 'Conflict'],
    [ErrorCode.ReactionLimitReached, 409, 'Conflict'],
    [ErrorCode.RpcTimeout, 503, 'Service Unavailable'],
    [ErrorCode.ServiceUnavailable, 503, 'Service Unavailable'],
    [ErrorCode.Overloaded, 503, 'Service Unavailable'],
  ])('DomainError %s → %i with { statusCode, error, message, code }', (code, status, reason) => {
    const res = send(new DomainError(code, `something about ${code}`));

    expect(STATUS_BY_CODE[code]).toBe(status);
    expect(res.statusCode).toBe(status);
    expect(res.body).toEqual({ statusCode: status, error: reason, message: `something about ${code}`, code });
  });

  it('VALIDATION_FAILED carries the field details', () => {
    const details = [{ field: 'body', problems: ['body must not be empty'] }];

    const res = send(new DomainError(ErrorCode.ValidationFailed, 'body: body must not be empty', details));

    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'body: body must not be empty', code: 'VALIDATION_FAILED', details });
  });

  it.each([ErrorCode.Internal, ErrorCode.UnknownRpc])('%s never leaks its message or details', (code) => {
    const res = send(new DomainError(code, 'mongo at 10.0.0.5 said: E11000 secret stuff', { stack: 'x' }));

    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
  });

  it('a DomainError with a code outside the table (from a newer service) is a 500 without its message', () => {
    const res = send(new DomainError('SOMETHING_NEW' as ErrorCode, 'internal detail'));

    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
  });

  it('echoes the correlation id in the body', () => {
    const res = send(new DomainError(ErrorCode.NotFound, 'channel ch_1 not found'), { correlationId: 'corr-42' });

    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'channel ch_1 not found', code: 'NOT_FOUND', correlationId: 'corr-42' });
  });

  it('an HttpException keeps its status and message', () => {
    const res = send(new NotFoundException('Cannot GET /v1/nope'));

    expect(res.statusCode).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /v1/nope' });
  });

  it('an HttpException with a list of messages joins them', () => {
    const res = send(new BadRequestException(['a is bad', 'b is bad']));

    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'a is bad; b is bad' });
  });

  it('a 429 HttpException keeps its status', () => {
    const res = send(new HttpException('slow down', 429));

    expect(res.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'slow down' });
  });

  it('a body-parser "entity.too.large" error → 413', () => {
    const res = send(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }));

    expect(res.statusCode).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'request body is too large' });
  });

  it('a body-parser "entity.parse.failed" error → 400, not 500', () => {
    const res = send(Object.assign(new SyntaxError('Unexpected token } in JSON'), { status: 400, type: 'entity.parse.failed' }));

    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
  });

  it('an unknown error → 500 "internal error", its message not echoed', () => {
    const res = send(new TypeError("Cannot read properties of undefined (reading 'patientId')"));

    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
  });

  it('a thrown non-error value → 500 "internal error"', () => {
    expect(send('boom').body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
    expect(send(null).body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
  });

  it('an error object with a 5xx status is still an internal error, not passed through', () => {
    const res = send(Object.assign(new Error('upstream exploded'), { status: 502 }));

    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' });
  });

  it('an OVERLOADED refusal tells the client when to come back: Retry-After in whole seconds (rounded up) and Retry-After-Ms exactly', () => {
    const res = send(new DomainError(ErrorCode.Overloaded, 'the messages service is at capacity', { retryAfterMs: 1240 }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers['retry-after-ms']).toBe('1240');
    expect(res.body).toMatchObject({ code: ErrorCode.Overloaded, details: { retryAfterMs: 1240 } });
  });

  it('a short hint still gives Retry-After of at least one second', () => {
    const res = send(new DomainError(ErrorCode.Overloaded, 'busy', { retryAfterMs: 80 }));
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['retry-after-ms']).toBe('80');
  });

  it.each([ErrorCode.RpcTimeout, ErrorCode.ServiceUnavailable])('a %s 503 without a hint asks for the default wait', (code) => {
    const res = send(new DomainError(code, 'the messages service did not answer'));
    expect(res.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_MS / 1000));
    expect(res.headers['retry-after-ms']).toBe(String(DEFAULT_RETRY_AFTER_MS));
  });

  it('answers other statuses without a retry hint', () => {
    const res = send(new DomainError(ErrorCode.NotFound, 'channel ch_1 not found', { retryAfterMs: 5 }));
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['retry-after-ms']).toBeUndefined();
  });

  it('does not write when headers were already sent', () => {
    const { host, res } = fakeHost();
    res.headersSent = true;

    filter.catch(new DomainError(ErrorCode.NotFound, 'x'), host);

    expect(res.statusCode).toBeUndefined();
    expect(res.body).toBeUndefined();
  });

  it('rethrows outside HTTP (another transport maps its own errors)', () => {
    const { host } = fakeHost({ type: 'ws' });
    const err = new DomainError(ErrorCode.NotFound, 'x');

    expect(() => filter.catch(err, host)).toThrow(err);
  });
});
