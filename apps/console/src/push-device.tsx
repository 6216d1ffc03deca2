import { useState } from 'react';
import { isMessagingApiError, type MessagingClient } from '@wellifiy/messaging-client';

/** Where the service worker lives: beside the console, so its scope is the console. */
const WORKER_URL = `${import.meta.env.BASE_URL}push-sw.js`;

/** base64url (the VAPID public key as the server gives it) → the bytes PushManager wants. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const errorText = (err: unknown): string => (isMessagingApiError(err) ? `${err.message} (${err.status})` : err instanceof Error ? err.message : String(err));

/**
 * Push notifications on this browser (patients only, as the server allows): asks for permission, subscribes with the
 * server's VAPID key through a service worker, and registers the subscription; "Turn off" removes it again.
 */
export function PushDevice({ client }: { client: MessagingClient }) {
  const [subscriptionId, setSubscriptionId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof window !== 'undefined' && 'PushManager' in window;

  const turnOn = async (): Promise<void> => {
    const config = await client.rest.pushConfig();
    const key = config.webPush.vapidPublicKey;
    if (!config.webPush.enabled || !key) throw new Error('push notifications are not set up on this server');
    if ((await Notification.requestPermission()) !== 'granted') throw new Error('this browser did not allow notifications');
    const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: import.meta.env.BASE_URL });
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    const json = subscription.toJSON();
    if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) throw new Error('the browser gave an incomplete push subscription');
    const registered = await client.rest.registerPush({
      endpoint: json.endpoint,
      keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
      expirationTime: json.expirationTime ?? null,
    });
    setSubscriptionId(registered.id);
  };

  const turnOff = async (id: string): Promise<void> => {
    await client.rest.deletePush(id);
    const registration = await navigator.serviceWorker.getRegistration(import.meta.env.BASE_URL);
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
    setSubscriptionId(null);
  };

  const run = (fn: () => Promise<void>, done: string) => async () => {
    setBusy(true);
    setStatus(null);
    try {
      await fn();
      setStatus(done);
    } catch (err) {
      setStatus(`Push notifications: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="push-h">
      <h2 id="push-h">This browser</h2>
      {!supported ? (
        <p className="muted">This browser cannot receive push notifications.</p>
      ) : subscriptionId ? (
        <button type="button" disabled={busy} onClick={run(() => turnOff(subscriptionId), 'Push notifications are off for this browser.')}>
          Turn off push on this browser
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={run(turnOn, 'Push notifications are on for this browser.')}>
          Turn on push on this browser
        </button>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
