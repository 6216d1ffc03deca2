/** Exponential backoff with full jitter, capped: attempt n waits a random time in [base·2ⁿ·(1-jitter), base·2ⁿ], at most `maxMs`. */
export interface BackoffOptions {
  /** First delay (attempt 0), ms. */
  initialMs: number;
  /** No delay exceeds this, ms. */
  maxMs: number;
  /** Fraction of the delay that is randomised, 0…1 (1 = "full jitter"): spreads reconnect storms after an outage. */
  jitter: number;
}

export const DEFAULT_RECONNECT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, jitter: 0.5 };
export const DEFAULT_RETRY_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, jitter: 0.5 };

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  return Math.round(exp * (1 - jitter * random()));
}

/** A Retry-After beyond this is treated as this (a misconfigured proxy must not park a message for hours). */
export const RETRY_AFTER_MAX_MS = 5 * 60_000;

/** The delay before the next send attempt: what the server asked for (Retry-After) when it did, else the backoff. */
export function retryDelay(attempt: number, retryAfterSeconds: number | undefined, opts: BackoffOptions, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.min(RETRY_AFTER_MAX_MS, Math.ceil(retryAfterSeconds * 1000));
  return backoffDelay(attempt, opts, random);
}
