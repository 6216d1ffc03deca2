/**
 * Retries an assertion until it passes or the time is up; the last failure is rethrown so the test
 * reports what was still wrong. The one way tests wait for asynchronous effects (no raw sleeps).
 */
export async function expectEventually<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** Asserts that something does NOT happen during a window (e.g. an event not delivered to a non-member). */
export async function expectNever(
  fn: () => boolean | Promise<boolean>,
  opts: { forMs: number; intervalMs?: number; what?: string },
): Promise<void> {
  const deadline = Date.now() + opts.forMs;
  while (Date.now() < deadline) {
    if (await fn()) throw new Error(`expected never to happen, but it did: ${opts.what ?? 'condition held'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
