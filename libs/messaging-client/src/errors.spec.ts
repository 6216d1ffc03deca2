import { MessagingApiError, parseRetryAfter } from './errors';

describe('MessagingApiError', () => {
  it('takes status, stable code and message from the gateway error body', () => {
    const e = MessagingApiError.fromResponse(409, { statusCode: 409, error: 'Conflict', message: 'last team member', code: 'CHANNEL_LAST_TEAM_MEMBER' }, null);
    expect(e).toMatchObject({ status: 409, code: 'CHANNEL_LAST_TEAM_MEMBER', message: 'last team member' });
    expect(e).toBeInstanceOf(Error);
    expect(e.retryable).toBe(false);
  });

  it('derives a code from the status when the body has none (validation, auth, rate limit)', () => {
    expect(MessagingApiError.fromResponse(400, { statusCode: 400, error: 'Bad Request', message: 'body must not be empty' }, null).code).toBe('VALIDATION_FAILED');
    expect(MessagingApiError.fromResponse(429, { statusCode: 429, error: 'Too Many Requests', message: 'slow down' }, '2')).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 2 });
    expect(MessagingApiError.fromResponse(503, { statusCode: 503, error: 'Service Unavailable', message: 'at capacity', code: 'OVERLOADED', details: { retryAfterMs: 250 } }, '1'))
      .toMatchObject({ code: 'OVERLOADED', retryAfterSeconds: 0.25, retryable: true });
    expect(MessagingApiError.fromResponse(502, '<html>bad gateway</html>', null)).toMatchObject({ status: 502, code: 'SERVER_ERROR' });
  });

  it('retries only what may succeed unchanged: no answer, 429, 502–504; never other 4xx or 500', () => {
    const retryable = (status: number): boolean => MessagingApiError.fromResponse(status, {}, null).retryable;
    expect(MessagingApiError.network(new TypeError('fetch failed')).retryable).toBe(true);
    expect([429, 502, 503, 504].map(retryable)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 409, 413, 415, 422, 500].map(retryable)).toEqual(Array(9).fill(false));
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
