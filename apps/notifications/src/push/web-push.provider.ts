import { Injectable } from '@nestjs/common';
import webpush from 'web-push';
import { NotificationsConfig } from '../config/notifications.config';
import { PushOutcome, PushPayload, PushProvider, PushRefusedError, PushRetryableError, PushTarget } from './push-provider';

const PUSH_TTL_SECONDS = 24 * 60 * 60;
const PUSH_TIMEOUT_MS = 10_000;

/**
 * Web Push (RFC 8030/8291/8292): the web-push package encrypts the payload (aes128gcm) and signs the
 * VAPID header; the request itself is sent here, with a timeout and no redirects.
 */
@Injectable()
export class WebPushProvider extends PushProvider {
  readonly name = 'webpush' as const;
  readonly enabled: boolean;

  constructor(private readonly config: NotificationsConfig) {
    super();
    this.enabled = Boolean(config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY);
  }

  async send(target: PushTarget, payload: PushPayload): Promise<PushOutcome> {
    const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject } = this.config;
    if (!publicKey || !privateKey) throw new PushRefusedError('web push is not configured (VAPID keys)');
    const details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, JSON.stringify(payload), {
      vapidDetails: { subject, publicKey, privateKey },
      TTL: PUSH_TTL_SECONDS,
      contentEncoding: 'aes128gcm',
      urgency: 'normal',
    });
    let status: number;
    try {
      const res = await fetch(details.endpoint, {
        method: details.method,
        headers: details.headers as Record<string, string>,
        body: details.body ?? undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      throw new PushRetryableError(`push service unreachable: ${(err as Error).name}`);
    }
    if (status >= 200 && status < 300) return 'sent';
    if (status === 404 || status === 410) return 'gone';
    if (status === 429 || status >= 500) throw new PushRetryableError(`push service answered ${status}`);
    // Other 4xx (bad payload, bad VAPID): retrying will not help; report and drop.
    throw new PushRefusedError(`push service refused the push with ${status}`);
  }
}
