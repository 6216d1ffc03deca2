/** Latency samples in milliseconds; percentiles by rank over the sorted samples (exact, not bucketed). */
export class Histogram {
  private readonly samples: number[] = [];

  record(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  percentile(p: number): number | null {
    if (!this.samples.length) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
  }

  summary(): { count: number; p50: number | null; p99: number | null; max: number | null } {
    return { count: this.count, p50: this.percentile(50), p99: this.percentile(99), max: this.percentile(100) };
  }
}

/** Runs `fire(i)` at a fixed arrival rate for `seconds` (open loop: it never waits for an answer). */
export async function openLoop(ratePerSecond: number, seconds: number, fire: (i: number) => Promise<void>): Promise<{ sent: number; errors: number }> {
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(fire(i).catch(() => void errors++));
  }
  await Promise.all(pending);
  return { sent: total, errors };
}
