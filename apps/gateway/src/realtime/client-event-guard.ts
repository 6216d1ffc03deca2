/*
 * Checks on every client → server socket event, before any handler runs: a per-socket rate limit, and no NUL
 * character or lone surrogate in any string of the payload (the HTTP side refuses the same; such strings
 * break or get mangled by the stores and protocols downstream). Linear in the payload's size; deep or huge
 * payloads are refused outright (Socket.IO already caps a packet at maxHttpBufferSize).
 */

const MAX_DEPTH = 8;
const MAX_NODES = 1000;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a payload's strings, or null when it is acceptable. */
export function payloadProblem(value: unknown): string | null {
  let nodes = 0;
  const walk = (v: unknown, depth: number): string | null => {
    if (++nodes > MAX_NODES) return 'payload has too many values';
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'strings must not contain NUL characters';
      if (LONE_SURROGATE.test(v)) return 'strings must be valid Unicode (a lone surrogate was found)';
      return null;
    }
    if (v === null || typeof v !== 'object') return null;
    if (depth >= MAX_DEPTH) return `payload is nested deeper than ${MAX_DEPTH} levels`;
    const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v as Record<string, unknown>);
    for (const [key, x] of entries) {
      const problem = (key ? walk(key, depth + 1) : null) ?? walk(x, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(value, 0);
}

/** Fixed-window counter of one socket's events. */
export class SocketEventBudget {
  private windowStart = 0;
  private count = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** true when one more event fits in this minute. */
  take(): boolean {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t;
      this.count = 0;
    }
    if (this.count >= this.perMinute) return false;
    this.count++;
    return true;
  }

  /** Milliseconds until the window resets. */
  retryAfterMs(): number {
    return Math.max(0, 60_000 - (this.now() - this.windowStart));
  }
}
