/**
 * HDR-style latency histogram: samples are counted in log-linear buckets of microseconds (256 exact buckets
 * below 256 µs, then 128 per power of two), so memory stays bounded however long a phase runs and every value
 * is kept to within 1/128 (under 0.8 %). A percentile answers the highest value of its bucket, capped by the
 * exact maximum, so it never flatters.
 */
const SUB_BUCKETS = 256;
const HALF = SUB_BUCKETS / 2;

function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return us;
  const shift = Math.floor(Math.log2(us)) - 7; // keep the top 8 bits
  return SUB_BUCKETS + (shift - 1) * HALF + (Math.floor(us / 2 ** shift) - HALF);
}

function highestIn(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = Math.floor((bucket - SUB_BUCKETS) / HALF) + 1;
  const top = ((bucket - SUB_BUCKETS) % HALF) + HALF;
  return (top + 1) * 2 ** shift - 1;
}

export class Histogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private maxUs = 0;

  /** Records one sample in milliseconds. */
  record(ms: number): void {
    const us = Math.max(0, Math.min(2 ** 31 - 1, Math.round(ms * 1000)));
    const b = bucketOf(us);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.total++;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.total;
  }

  /** The value (ms) at or below which p % of the samples fall; null when there are none. */
  percentile(p: number): number | null {
    if (!this.total) return null;
    const rank = Math.min(this.total, Math.max(1, Math.ceil((p / 100) * this.total)));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b) ?? 0;
      if (seen >= rank) return Math.min(highestIn(b), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  summary(): { count: number; p50: number | null; p99: number | null; max: number | null } {
    return { count: this.total, p50: this.percentile(50), p99: this.percentile(99), max: this.total ? this.maxUs / 1000 : null };
  }
}

/**
 * Runs `fire(i, due)` at a fixed arrival rate for `seconds` (open loop: it never waits for an answer). `due` is
 * when the request was meant to start: latencies measured from it include any lateness of the generator itself,
 * so a stalled system cannot hide its stall by slowing the arrivals (coordinated omission). `lag` is that
 * lateness, reported so a reader can tell the generator's delays from the system's.
 */
export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  fire: (i: number, due: number) => Promise<void>,
): Promise<{ sent: number; errors: number; lag: Histogram }> {
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const lag = new Histogram();
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    lag.record(performance.now() - due);
    pending.push(fire(i, due).catch(() => void errors++));
  }
  await Promise.all(pending);
  return { sent: total, errors, lag };
}
