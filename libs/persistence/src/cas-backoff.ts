/**
 * Pause before retrying a version compare-and-set that another writer won: random ("full jitter"), growing with
 * the attempt up to CAS_BACKOFF_MAX_MS, so writers of one hot document (any process) spread out instead of
 * colliding again in lockstep.
 */
const CAS_BACKOFF_MAX_MS = 40;

export function casBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(CAS_BACKOFF_MAX_MS, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
