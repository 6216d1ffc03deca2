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

/** Key of the `@EventPattern` extras that marks a handler safe to run twice (see `RepeatSafe`). */
export const REPEAT_SAFE = 'repeatSafe';

/**
 * Extras for `@EventPattern(type, RepeatSafe)`: the handler's effect is the same however often it runs, so the
 * consumer skips the idempotency store for it. Say in a comment beside it why it is safe.
 */
export const RepeatSafe: Readonly<Record<string, unknown>> = Object.freeze({ [REPEAT_SAFE]: true });
