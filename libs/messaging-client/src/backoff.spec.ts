import { backoffDelay, retryDelay, RETRY_AFTER_MAX_MS } from './backoff';

const opts = { initialMs: 500, maxMs: 30_000, jitter: 0.5 };

describe('backoff (jittered, capped)', () => {
  it('doubles per attempt without jitter', () => {
    const noJitter = { ...opts, jitter: 0 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, noJitter))).toEqual([500, 1000, 2000, 4000]);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [10, 20, 50, 1000]) {
      expect(backoffDelay(attempt, opts, () => 0)).toBe(30_000);
      expect(backoffDelay(attempt, opts, () => 0.999)).toBeLessThanOrEqual(30_000);
    }
  });

  it('jitter spreads delays within [exp·(1-jitter), exp]', () => {
    expect(backoffDelay(2, opts, () => 0)).toBe(2000);
    expect(backoffDelay(2, opts, () => 1)).toBe(1000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, opts)));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('a Retry-After from the server wins over the backoff, within a sane bound', () => {
    expect(retryDelay(0, 3, opts, () => 0)).toBe(3000);
    expect(retryDelay(5, 0.2, opts, () => 0)).toBe(200);
    expect(retryDelay(0, 86_400, opts)).toBe(RETRY_AFTER_MAX_MS);
    expect(retryDelay(1, undefined, opts, () => 0)).toBe(1000);
  });
});
