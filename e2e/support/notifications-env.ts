import { createECDH } from 'node:crypto';

/** The SMTP listener of the digest tests: the notifications service of the e2e system sends there. */
export const e2eSmtpPort = (basePort: number): number => basePort + 25;

/**
 * Notifications settings of the end-to-end system: digests are off unless a test opts a user in, and a
 * digest "minute" lasts one second; push may target the tests' local push service; fresh VAPID keys.
 * Plain node:crypto only: this runs in Jest's global setup, outside its module registry.
 */
export function notificationsTestEnv(basePort: number): Record<string, string> {
  const vapid = createECDH('prime256v1');
  vapid.generateKeys();
  const key = vapid.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - key.length), key]); // always 32 bytes
  return {
    SMTP_URL: `smtp://127.0.0.1:${e2eSmtpPort(basePort)}`,
    DIGEST_DEFAULT_FREQUENCY: 'off',
    DIGEST_MINUTE_MS: '1000',
    DIGEST_FANOUT_DELAY_MS: '200',
    VAPID_PUBLIC_KEY: vapid.getPublicKey().toString('base64url'),
    VAPID_PRIVATE_KEY: privateKey.toString('base64url'),
    PUSH_ALLOWED_HOSTS: '127.0.0.1',
    PUSH_MAX_ATTEMPTS: '3',
  };
}
