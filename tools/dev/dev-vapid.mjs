// Development Web Push keys: generated once per checkout (web-push generateVAPIDKeys) and kept in .data/dev-vapid.json,
// so browser push subscriptions made by the console stay valid across restarts of the run command.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';

export const DEV_VAPID_SUBJECT = 'mailto:dev@wellifiy.example';

/** { publicKey, privateKey, created } — read from `file`, or generated and written there (mode 600) on first use. */
export function loadOrCreateDevVapidKeys(file) {
  try {
    const keys = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof keys.publicKey === 'string' && typeof keys.privateKey === 'string') return { ...keys, created: false };
  } catch {
    // absent or unreadable: make a new pair
  }
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ publicKey, privateKey }, null, 2)}\n`, { mode: 0o600 });
  return { publicKey, privateKey, created: true };
}
