import { Histogram, openLoop } from './histogram';

describe('Histogram', () => {
  it('answers null with no samples', () => {
    const h = new Histogram();
    expect(h.percentile(99)).toBeNull();
    expect(h.summary()).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it('is exact below 256 µs', () => {
    const h = new Histogram();
    for (let us = 1; us <= 200; us++) h.record(us / 1000);
    expect(h.percentile(50)).toBe(0.1);
    expect(h.percentile(99)).toBe(0.198);
    expect(h.summary().max).toBe(0.2);
  });

  it('keeps every value within 1/128 and never below the true percentile', () => {
    const samples = Array.from({ length: 5000 }, (_, i) => 0.3 + ((i * 7919) % 5000) * 1.7); // 0.3 ms … 8.5 s
    const h = new Histogram();
    for (const s of samples) h.record(s);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9, 100]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1];
      const got = h.percentile(p) as number;
      expect(got).toBeGreaterThanOrEqual(exact - 0.0005);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 128) + 0.001);
    }
  });

  it('caps the top bucket at the exact maximum and handles values past 2^31 µs', () => {
    const h = new Histogram();
    h.record(1234.567);
    expect(h.percentile(100)).toBe(1234.567);
    h.record(10_000_000);
    expect(h.summary().max).toBeCloseTo(2 ** 31 / 1000, 0);
    expect(h.percentile(100)).toBeGreaterThan(2_000_000);
  });

  it('uses bounded memory: a million samples in a few thousand buckets', () => {
    const h = new Histogram();
    for (let i = 0; i < 1_000_000; i++) h.record((i % 100_000) / 10);
    expect(h.count).toBe(1_000_000);
    expect((h as unknown as { counts: Map<number, number> }).counts.size).toBeLessThan(3000);
  });
});

describe('openLoop', () => {
  it('fires at the fixed rate without waiting for answers, and passes each request its due time', async () => {
    const dues: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const t0 = performance.now();
    const r = await openLoop(200, 0.25, async (_i, due) => {
      dues.push(due);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((res) => setTimeout(res, 100)); // slower than the interval: an open loop keeps firing
      inFlight--;
    });
    expect(r.sent).toBe(50);
    expect(r.errors).toBe(0);
    expect(maxInFlight).toBeGreaterThan(10);
    expect(dues[0]).toBeGreaterThanOrEqual(t0);
    expect(dues[49] - dues[0]).toBeCloseTo(49 * 5, 5);
    expect(r.lag.count).toBe(50);
  });

  it('counts failed requests as errors', async () => {
    const r = await openLoop(100, 0.1, async (i) => {
      if (i % 2) throw new Error('no');
    });
    expect(r).toMatchObject({ sent: 10, errors: 5 });
  });
});
