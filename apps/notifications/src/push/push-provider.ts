/** What a push says: ids and a generic text only — no message content, names or channel names (no PHI). */
export interface PushPayload {
  type: 'message.created';
  channelId: string;
  messageId: string;
  seq: number;
  title: string;
  body: string;
}

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** `gone`: the push service says the subscription no longer exists (404/410) — delete it. */
export type PushOutcome = 'sent' | 'gone';

/** Thrown for failures worth retrying (network, 429, 5xx); the push job retries with backoff. */
export class PushRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushRetryableError';
  }
}

/** The push service refused the push for a reason retrying cannot fix (bad payload, bad VAPID key). */
export class PushRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushRefusedError';
  }
}

/**
 * One push technology. Web Push is the first; FCM or APNs providers implement the same interface and
 * are chosen by the subscription's `provider`.
 */
export abstract class PushProvider {
  abstract readonly name: 'webpush';
  abstract readonly enabled: boolean;
  abstract send(target: PushTarget, payload: PushPayload): Promise<PushOutcome>;
}
