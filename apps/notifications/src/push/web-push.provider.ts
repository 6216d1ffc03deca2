import http from 'node:http';
import https from 'node:https';
import { Injectable } from '@nestjs/common';
import webpush from 'web-push';
import { pinnedLookup, ResolvedAddress } from '@wellifiy/outbound';
import { NotificationsConfig } from '../config/notifications.config';
import { EndpointRefused, PushEndpointPolicy } from './endpoint-policy';
import { PushOutcome, PushPayload, PushProvider, PushRefusedError, PushRetryableError, PushTarget } from './push-provider';

const PUSH_TTL_SECONDS = 24 * 60 * 60;
const PUSH_TIMEOUT_MS = 10_000;

/**
 * Web Push (RFC 8030/8291/8292): the web-push package encrypts the payload (aes128gcm) and signs the
 * VAPID header; the request itself is sent here, with a timeout and no redirects, to the address the
 * endpoint policy checked just before (a name that now resolves inside our network is refused, not reached).
 */
@Injectable()
export class WebPushProvider extends PushProvider {
  readonly name = 'webpush' as const;
  readonly enabled: boolean;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly endpoints: PushEndpointPolicy,
  ) {
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
    let checked: { url: URL; address: ResolvedAddress };
    try {
      checked = await this.endpoints.check(details.endpoint);
    } catch (err) {
      if (err instanceof EndpointRefused) throw new PushRefusedError(`push endpoint refused at send time: ${err.problem}`);
      throw err;
    }
    let status: number;
    try {
      status = await post(checked.url, checked.address, details);
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

/** One POST to the pinned address; resolves with the status (the body is discarded). node:http follows no redirects. */
function post(url: URL, address: ResolvedAddress, details: webpush.RequestDetails): Promise<number> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: details.method, headers: details.headers, lookup: pinnedLookup(address), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(details.body ?? undefined);
  });
}
