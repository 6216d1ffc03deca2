import { createECDH, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import webpush from 'web-push';
import { HostAllowList, Resolver } from '@wellifiy/outbound';
import { NotificationsConfig } from '../config/notifications.config';
import { PushEndpointPolicy } from './endpoint-policy';
import { PushPayload, PushRefusedError } from './push-provider';
import { WebPushProvider } from './web-push.provider';

/** The provider against a real local HTTP push service, with DNS answered from a table the test changes. */
describe('WebPushProvider (local push service)', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  const answers = new Map<string, string>();
  const resolver: Resolver = async (host) => {
    const address = answers.get(host);
    return address ? [{ address, family: 4 }] : [];
  };
  const vapid = webpush.generateVAPIDKeys();
  const config = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@wellifiy.example' } as NotificationsConfig;
  const device = createECDH('prime256v1');
  device.generateKeys();
  const keys = { p256dh: device.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  const payload: PushPayload = { type: 'message.created', channelId: 'ch_1', messageId: 'msg_1', seq: 1, title: 'Wellifiy', body: 'You have a new message' };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.headers.host} ${req.url}`);
      req.resume();
      res.writeHead(201).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(() => {
    hits.length = 0;
    answers.clear();
  });

  it('sends to the address the policy checked (an allow-listed name served by a local push service)', async () => {
    answers.set('push.test', '127.0.0.1');
    const provider = new WebPushProvider(config, new PushEndpointPolicy(new HostAllowList(`push.test:${port}`), resolver));
    await expect(provider.send({ endpoint: `http://push.test:${port}/device-1`, keys }, payload)).resolves.toBe('sent');
    expect(hits).toEqual([`push.test:${port} /device-1`]);
  });

  it('item 6: an endpoint whose name now resolves to an internal address (DNS rebinding) is refused at send time and never reached', async () => {
    const policy = new PushEndpointPolicy(new HostAllowList(''), resolver);
    answers.set('push.rebind.example', '142.250.180.10');
    await expect(policy.check(`https://push.rebind.example:${port}/device-2`)).resolves.toBeDefined(); // what registration saw

    answers.set('push.rebind.example', '127.0.0.1');
    const provider = new WebPushProvider(config, policy);
    const sending = provider.send({ endpoint: `https://push.rebind.example:${port}/device-2`, keys }, payload);
    await expect(sending).rejects.toBeInstanceOf(PushRefusedError);
    await expect(sending).rejects.toThrow('push endpoint refused at send time: endpoint host is not public: push.rebind.example resolves to a non-public address (127.0.0.1)');
    expect(hits).toEqual([]);
  });
});
