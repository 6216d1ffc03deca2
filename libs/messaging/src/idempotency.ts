/**
 * Remembers which events a consumer has already handled, so a redelivered or replayed event is
 * acknowledged without running its handler again. Handlers are also written to be safe to repeat:
 * a crash between the handler's write and `remember` leads to one more (harmless) run.
 */
export interface IdempotencyStore {
  seen(consumer: string, eventId: string): Promise<boolean>;
  remember(consumer: string, eventId: string): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
