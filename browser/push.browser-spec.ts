import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';
import type { Browser } from 'playwright-core';
import { createMessagingClient } from '@wellifiy/messaging-client/node';
import { expectEventually, expectNever } from '@wellifiy/testing';
import { launchChromium, openConsoleAs, saveConsole, screenshot, visible, type Tab } from './support/browser';
import { serveConsole, type ConsoleSite } from './support/console-server';
import { gatewayUrl, newOrg, type Actor } from './support/system';

interface Push {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Push notifications from the console: the patient turns push on in the real Chromium — permission, the console's
 * service worker, PushManager.subscribe with the server's VAPID key, registration through the client library — and a
 * team member's message then reaches the device as an encrypted Web Push. Only the browser vendor's push service is
 * replaced (it is on the internet): `PushManager.subscribe` answers with an endpoint on a local listener that stands
 * in for it, and keys the test holds, so the push the notifications service sends can be received and opened here.
 */
describe('push notifications from the console', () => {
  const org = newOrg();
  const pushes: Push[] = [];
  const pushService = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushes.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  const device = createECDH('prime256v1');
  device.generateKeys();
  const auth = randomBytes(16);
  let endpoint: string;
  let site: ConsoleSite;
  let browser: Browser;
  let manager: Actor;
  let patient: Actor;
  let pt: Tab;
  let careChannelId: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', () => resolve()));
    endpoint = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}/device-console`;
    [manager, patient] = await Promise.all([org.teamMember('Riley', 'Chen', ['messaging:manage']), org.patient('Sam', 'Patel')]);
    careChannelId = (await createMessagingClient({ baseUrl: gatewayUrl, token: manager.token }).rest.activate(patient.userId, 'care_team')).id;
    site = await serveConsole();
    browser = await launchChromium();
    pt = await openConsoleAs(browser, site.url, patient);
    await pt.context.grantPermissions(['notifications'], { origin: new URL(site.url).origin });
    const keys = { p256dh: device.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
    await pt.page.evaluate(
      ({ endpoint: at, keys: k }) => {
        // Runs in the page (no DOM types in this project): the parts of PushManager the console calls.
        type Options = { applicationServerKey?: unknown; userVisibleOnly?: boolean };
        const page = globalThis as unknown as {
          PushManager: { prototype: { subscribe(o?: Options): Promise<unknown>; getSubscription(): Promise<unknown> } };
          btoa(s: string): string;
          subscribedWith?: { applicationServerKey: string; userVisibleOnly: boolean };
          subscription?: unknown;
        };
        const toBase64Url = (bytes: Uint8Array): string => page.btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        page.PushManager.prototype.subscribe = async (opts?: Options) => {
          const key = opts?.applicationServerKey;
          page.subscribedWith = { applicationServerKey: key instanceof Uint8Array ? toBase64Url(key) : String(key), userVisibleOnly: opts?.userVisibleOnly === true };
          page.subscription = { endpoint: at, expirationTime: null, toJSON: () => ({ endpoint: at, expirationTime: null, keys: k }), unsubscribe: async () => true };
          return page.subscription;
        };
        page.PushManager.prototype.getSubscription = async () => page.subscription ?? null;
      },
      { endpoint, keys },
    );
  });

  afterAll(async () => {
    saveConsole(pt, 'patient-push');
    await browser?.close();
    await site?.close();
    await new Promise((resolve) => pushService.close(resolve));
  });

  afterEach(() => {
    expect(pt?.errors ?? []).toEqual([]);
  });

  it('the patient turns push on; a team member’s message arrives as an encrypted push with ids and generic text only', async () => {
    await pt.page.getByRole('tab', { name: 'Profile & notifications' }).click();
    await pt.page.getByRole('button', { name: 'Turn on push on this browser' }).click();
    await visible(pt.page.getByRole('status').filter({ hasText: 'Push notifications are on for this browser.' }));

    // The subscription was made with the server's VAPID key, for visible notifications, through the console's service worker.
    const config = await createMessagingClient({ baseUrl: gatewayUrl, token: patient.token }).rest.pushConfig();
    expect(await pt.page.evaluate(() => (globalThis as unknown as { subscribedWith?: unknown }).subscribedWith)).toEqual({
      applicationServerKey: config.webPush.vapidPublicKey,
      userVisibleOnly: true,
    });
    const scope = await pt.page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { serviceWorker: { getRegistration(s: string): Promise<{ scope: string } | undefined> } } }).navigator;
      return (await nav.serviceWorker.getRegistration('/console/'))?.scope ?? null;
    });
    expect(scope).toBe(new URL('/console/', site.url).href);
    await screenshot(pt.page, 'push-on');

    const nonce = randomBytes(4).toString('hex');
    const secret = `knee results ${nonce}`;
    const sent = await createMessagingClient({ baseUrl: gatewayUrl, token: manager.token }).rest.sendMessage(careChannelId, { clientMessageId: `push-${nonce}`, body: secret });
    await expectEventually(() => expect(pushes.filter((p) => p.path === '/device-console')).toHaveLength(1));
    const push = pushes[0];
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.body.toString('latin1')).not.toContain(secret);
    const payload = JSON.parse(decrypt(push.body, { version: 'aes128gcm', privateKey: device, authSecret: auth }).toString('utf8'));
    expect(payload).toEqual({ type: 'message.created', channelId: careChannelId, messageId: sent.id, seq: sent.seq, title: 'Wellifiy', body: 'You have a new message' });
  });

  it('turning push off removes the registration: the next message sends no push', async () => {
    await pt.page.getByRole('button', { name: 'Turn off push on this browser' }).click();
    await visible(pt.page.getByRole('status').filter({ hasText: 'Push notifications are off for this browser.' }));
    const before = pushes.length;
    await createMessagingClient({ baseUrl: gatewayUrl, token: manager.token }).rest.sendMessage(careChannelId, { clientMessageId: `after-off-${before}`, body: 'after push was turned off' });
    await expectNever(() => pushes.length > before, { forMs: 2000, what: 'a push after the device was unregistered' });
    await screenshot(pt.page, 'push-off');
  });
});
