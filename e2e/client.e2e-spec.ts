import { expectEventually, expectNever, sampleIsoMedia } from '@wellifiy/testing';
import { createMessagingClient, MessagingApiError, type MessageView, type MessagingClient } from '@wellifiy/messaging-client/node';
import { api, newOrg } from './support/client';
import { gatewayUrl } from './support/system';

/** A fetch the test can cut (offline) or make lose one answer after the gateway has acted on the request. */
function controllableFetch() {
  const state = { offline: false, loseNextAnswerTo: undefined as RegExp | undefined, posts: [] as string[] };
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (state.offline) throw new TypeError('fetch failed: network is down');
    if (init?.method === 'POST') state.posts.push(url);
    const res = await fetch(input, init);
    if (state.loseNextAnswerTo?.test(url) && init?.method === 'POST') {
      state.loseNextAnswerTo = undefined;
      await res.arrayBuffer();
      throw new TypeError('fetch failed: connection reset before the answer arrived');
    }
    return res;
  }) as typeof fetch;
  return { state, fetchImpl };
}

interface Device {
  client: MessagingClient;
  /** Every `message` event, in the order the client delivered them. */
  messages: MessageView[];
  events: { name: string; payload: any }[];
  net: ReturnType<typeof controllableFetch>;
}

const seqsIn = (d: Device, channelId: string): number[] => d.messages.filter((m) => m.channelId === channelId).map((m) => m.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * @wellifiy/messaging-client (its Node entry) against the running system: conversations, idempotent
 * retries, the channel list and badge across devices, catch-up after a dropped connection, the offline
 * queue, media upload with progress, typing, receipts, reactions and threads.
 */
describe('the messaging client against the running system', () => {
  const org = newOrg();
  const devices: Device[] = [];
  let tm: Awaited<ReturnType<typeof org.teamMember>>;
  let patient: Awaited<ReturnType<typeof org.patient>>;
  let channelId: string;
  let tmDevice: Device;
  let phone: Device;
  let web: Device;

  function device(token: string, opts: { reconnect?: { initialMs: number; maxMs: number; jitter: number } } = {}): Device {
    const net = controllableFetch();
    const client = createMessagingClient({
      baseUrl: gatewayUrl,
      token: () => token,
      fetch: net.fetchImpl,
      transports: ['websocket'],
      reconnectBackoff: opts.reconnect ?? { initialMs: 100, maxMs: 1000, jitter: 0.5 },
      retryBackoff: { initialMs: 50, maxMs: 500, jitter: 0.5 },
    });
    const d: Device = { client, messages: [], events: [], net };
    client.on('message', (m) => d.messages.push(m));
    for (const name of ['typing', 'receipt', 'reaction', 'messageUpdated', 'connection', 'resynced', 'badge'] as const) {
      client.on(name, (payload: unknown) => d.events.push({ name, payload }));
    }
    devices.push(d);
    return d;
  }
  const eventsOf = (d: Device, name: string): any[] => d.events.filter((e) => e.name === name).map((e) => e.payload);

  beforeAll(async () => {
    [tm, patient] = await Promise.all([org.teamMember(), org.patient()]);
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
    tmDevice = device(tm.token);
    phone = device(patient.token);
    web = device(patient.token);
    await Promise.all([tmDevice, phone, web].map((d) => d.client.connect()));
    for (const d of [tmDevice, phone, web]) expect(await d.client.openChannel(channelId)).toEqual([]);
  });

  afterAll(() => devices.forEach((d) => d.client.close()));

  it('two users converse: each side gets every message once, in seq order', async () => {
    await tmDevice.client.send(channelId, { body: 'Hello, how are you feeling today?' });
    await phone.client.send(channelId, { body: 'Better, thanks' });
    await tmDevice.client.send(channelId, { body: 'Glad to hear it' });
    for (const d of [tmDevice, phone, web]) await expectEventually(() => expect(seqsIn(d, channelId)).toEqual([1, 2, 3]));
    expect(phone.messages.map((m) => m.body)).toEqual(['Hello, how are you feeling today?', 'Better, thanks', 'Glad to hear it']);
  });

  it('errors surface as a typed MessagingApiError { status, code, message }, and a 4xx send is not retried', async () => {
    const unknown = await tmDevice.client.rest.channel('ch_does_not_exist').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(MessagingApiError);
    expect(unknown).toMatchObject({ status: 404, code: expect.any(String), message: expect.any(String) });
    const postsBefore = tmDevice.net.state.posts.length;
    await expect(tmDevice.client.send(channelId, { body: 'x'.repeat(10_001) })).rejects.toMatchObject({ status: 400 });
    expect(tmDevice.net.state.posts.length - postsBefore).toBe(1);
  });

  it('a send whose answer was lost is retried under the same clientMessageId and gives one message', async () => {
    tmDevice.net.state.loseNextAnswerTo = new RegExp(`/v1/channels/${channelId}/messages$`);
    const postsBefore = tmDevice.net.state.posts.length;
    const sent = await tmDevice.client.send(channelId, { body: 'Sent once, whatever the network does', clientMessageId: 'client-e2e-retry-1' });
    expect(tmDevice.net.state.posts.length - postsBefore).toBe(2);
    const page = await tmDevice.client.rest.listMessages(channelId, { after: 0 });
    expect(page.messages.filter((m) => m.clientMessageId === 'client-e2e-retry-1').map((m) => m.id)).toEqual([sent.id]);
    await expectEventually(() => expect(phone.messages.filter((m) => m.clientMessageId === 'client-e2e-retry-1')).toHaveLength(1));
  });

  it("the channel store's unread counts and badge follow messages, reads and archive across two devices of one user", async () => {
    const last = (await tmDevice.client.send(channelId, { body: 'One more thing' })).seq;
    for (const d of [phone, web]) {
      await expectEventually(() => {
        // The team member's messages after the patient's own reply (seqs 3, 4, 5): sending marks what came before as read.
        expect(d.client.channels.channel(channelId)?.unreadCount).toBe(3);
        expect(d.client.channels.getState().badge).toBe(3);
      });
    }
    // Read on the phone: the web app (the other device) follows through badge.updated.
    await phone.client.markRead(channelId, last);
    expect(phone.client.channels.getState().badge).toBe(0);
    await expectEventually(() => {
      expect(web.client.channels.channel(channelId)?.unreadCount).toBe(0);
      expect(web.client.channels.getState().badge).toBe(0);
    });
    // Archive on the web: the phone moves it to the archived list and drops it from the badge.
    await tmDevice.client.send(channelId, { body: 'Reminder: appointment tomorrow' });
    await expectEventually(() => expect(phone.client.channels.getState().badge).toBe(1));
    await web.client.rest.archive(channelId);
    await expectEventually(() => {
      expect(phone.client.channels.list({ archived: true }).map((c) => c.id)).toEqual([channelId]);
      expect(phone.client.channels.getState().badge).toBe(0);
    });
    await web.client.rest.unarchive(channelId);
    await expectEventually(() => {
      expect(phone.client.channels.channel(channelId)?.archived).toBe(false);
      expect(phone.client.channels.getState().badge).toBe(1);
    });
    // The web app was away while two messages came: after it reconnects its list and badge are right again.
    web.client.disconnect();
    await tmDevice.client.send(channelId, { body: 'Are you there?' });
    await tmDevice.client.send(channelId, { body: 'Please call the clinic' });
    await expectEventually(() => expect(phone.client.channels.getState().badge).toBe(3));
    expect(web.client.channels.getState().badge).toBe(1);
    await web.client.connect();
    expect(web.client.channels.getState().badge).toBe(3);
    expect(web.client.channels.channel(channelId)?.unreadCount).toBe(3);
  });

  it('a dropped connection in the middle of a conversation: after reconnect every missed message appears exactly once, in order', async () => {
    // A slow first reconnect, so the team member's messages keep coming while this device is away.
    const tablet = device(patient.token, { reconnect: { initialMs: 4000, maxMs: 8000, jitter: 0.2 } });
    await tablet.client.connect();
    const history = await tablet.client.openChannel(channelId);
    const before = history.length ? history[history.length - 1].seq : 0;
    const body = (i: number): string => `Message ${i} of the dropped-connection conversation`;
    const sentSeqs: number[] = [];
    for (let i = 1; i <= 5; i++) sentSeqs.push((await tmDevice.client.send(channelId, { body: body(i) })).seq);
    await expectEventually(() => expect(seqsIn(tablet, channelId)).toEqual(sentSeqs));

    tablet.client.realtimeSocket?.io.engine.close(); // the network under the socket goes away
    await expectEventually(() => expect(tablet.client.connectionState).not.toBe('connected'));
    for (let i = 6; i <= 15; i++) sentSeqs.push((await tmDevice.client.send(channelId, { body: body(i) })).seq);
    expect(tablet.client.connectionState).not.toBe('connected'); // these were all sent while it was away

    await expectEventually(() => expect(seqsIn(tablet, channelId)).toEqual(sentSeqs), { timeoutMs: 20_000 });
    expect(sentSeqs).toEqual(range(before + 1, before + 15));
    expect(tablet.messages.map((m) => m.body)).toEqual(range(1, 15).map(body));
    expect(eventsOf(tablet, 'connection').map((c) => c.state)).toEqual(expect.arrayContaining(['disconnected', 'connecting', 'connected']));
    const caughtUp = eventsOf(tablet, 'resynced').map((r) => r.caughtUp);
    expect(caughtUp[caughtUp.length - 1]).toBe(10);
    // Nothing more arrives later: no duplicate from a late live event.
    await expectNever(() => seqsIn(tablet, channelId).length !== 15, { forMs: 500, what: 'a duplicate or extra message' });
  });

  it('sends made while offline are queued and flushed in order on reconnect', async () => {
    const before = seqsIn(tmDevice, channelId).length;
    phone.client.disconnect();
    phone.net.state.offline = true;
    const bodies = ['Written offline 1', 'Written offline 2', 'Written offline 3'];
    const sends = bodies.map((b) => phone.client.send(channelId, { body: b }));
    expect(phone.client.pending().map((p) => p.body)).toEqual(bodies);
    await expectNever(() => seqsIn(tmDevice, channelId).length > before, { forMs: 500, what: 'a queued message left while offline' });

    phone.net.state.offline = false;
    await phone.client.connect();
    const stored = await Promise.all(sends);
    expect(stored.map((m) => m.body)).toEqual(bodies);
    expect(stored.map((m) => m.seq)).toEqual(range(stored[0].seq, stored[0].seq + 2));
    expect(phone.client.pending()).toEqual([]);
    await expectEventually(() => expect(tmDevice.messages.slice(-3).map((m) => m.body)).toEqual(bodies));
  });

  it('media upload reports progress by bytes sent, and the media is readable by the other member', async () => {
    const video = sampleIsoMedia(300_000);
    const progress: { loaded: number; total: number }[] = [];
    const media = await tmDevice.client.uploadMedia(new Uint8Array(video), { filename: 'clip.mp4', contentType: 'video/mp4', onProgress: (p) => progress.push(p) });
    expect(media).toMatchObject({ id: expect.stringMatching(/^med_/), kind: 'video', size: video.length });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p, i) => p.total === video.length && (i === 0 || p.loaded > progress[i - 1].loaded))).toBe(true);
    expect(progress[progress.length - 1].loaded).toBe(video.length);

    const message = await tmDevice.client.send(channelId, { body: 'Your exercise video', attachments: [media.id] });
    await expectEventually(() => expect(phone.messages.map((m) => m.id)).toContain(message.id));
    const download = await phone.client.downloadMedia(media.id);
    expect(download.contentType).toBe('video/mp4');
    expect(Buffer.from(download.bytes).equals(video)).toBe(true);
  });

  it('typing (throttled), receipts, reactions and thread replies arrive at the other side', async () => {
    expect(phone.client.typing(channelId)).toBe(true);
    expect(phone.client.typing(channelId)).toBe(false); // throttled
    await expectEventually(() => expect(eventsOf(tmDevice, 'typing')).toContainEqual({ channelId, userId: patient.userId }));

    const root = await tmDevice.client.send(channelId, { body: 'How did the exercises go?' });
    await expectEventually(() => expect(phone.messages.map((m) => m.id)).toContain(root.id));
    await phone.client.markRead(channelId, root.seq);
    await expectEventually(() => expect(eventsOf(tmDevice, 'receipt')).toContainEqual(expect.objectContaining({ channelId, userId: patient.userId, readSeq: root.seq })));

    await phone.client.react(channelId, root.id, 'like');
    await expectEventually(() => expect(eventsOf(tmDevice, 'reaction')).toContainEqual(expect.objectContaining({ messageId: root.id, userId: patient.userId, emoji: 'like', reacted: true })));

    const reply = await phone.client.reply(channelId, root.id, { body: 'Done every day' });
    expect(reply.threadId).toBe(root.id);
    await expectEventually(() => expect(tmDevice.messages).toContainEqual(expect.objectContaining({ id: reply.id, threadId: root.id })));
    await expectEventually(() => expect(eventsOf(tmDevice, 'messageUpdated')).toContainEqual(expect.objectContaining({ id: root.id, replyCount: 1 })));
    const thread = await tmDevice.client.rest.listReplies(channelId, root.id);
    expect(thread.messages.map((m) => m.id)).toEqual([reply.id]);
    // Replies are messages of the channel with their own seq: the timeline stays gap-free through them.
    const seqs = seqsIn(tmDevice, channelId);
    expect(seqs).toEqual(range(1, seqs.length));
  });
});
