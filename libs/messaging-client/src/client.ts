import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  BadgeUpdatedPayload, ChannelArchiveStatePayload, ChannelChangedPayload, ChannelNeedsStaffingPayload, ClientToServerEvents, MarkReadResult,
  MediaVariant, MediaView, MessageDeletedPayload, MessageView, ReactionUpdatedPayload, ReceiptUpdatedPayload, ServerToClientEvents,
  TypingPayload,
} from '@wellifiy/contracts';
import { backoffDelay, type BackoffOptions, DEFAULT_RECONNECT_BACKOFF, DEFAULT_RETRY_BACKOFF, retryDelay } from './backoff';
import { ChannelStore } from './channel-store';
import { TypedEmitter } from './emitter';
import { MessagingApiError } from './errors';
import { HttpTransport, type TokenProvider } from './http';
import { PendingQueue, type PendingSend } from './pending-queue';
import { MessagingRestApi } from './rest';
import { ChannelTimeline } from './timeline';
import { TypingThrottle } from './typing';
import { type Uploader, type UploadProgress } from './upload';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

/** What `client.on(…)` can listen to. Timeline events (`message`) come exactly once per message, in seq order per channel. */
export interface MessagingClientEvents {
  message: (message: MessageView) => void;
  messageUpdated: (message: MessageView) => void;
  messageDeleted: (payload: MessageDeletedPayload) => void;
  reaction: (payload: ReactionUpdatedPayload) => void;
  typing: (payload: TypingPayload) => void;
  receipt: (payload: ReceiptUpdatedPayload) => void;
  badge: (payload: BadgeUpdatedPayload) => void;
  needsStaffing: (payload: ChannelNeedsStaffingPayload) => void;
  connection: (change: { state: ConnectionState; reason?: string }) => void;
  /** After every (re)connect: the channel list and badge were re-read and tracked channels caught up. */
  resynced: (result: { channels: number; caughtUp: number }) => void;
  /** A queued message was acknowledged by the gateway. */
  sent: (message: MessageView) => void;
  /** A queued message was refused for good (a 4xx): it left the queue. */
  sendFailed: (failure: { pending: PendingSend; error: MessagingApiError }) => void;
  /** Something went wrong in the background (a catch-up or resync that will be retried). */
  error: (error: Error) => void;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SocketFactory = (url: string, opts: Partial<ManagerOptions & SocketOptions>) => ClientSocket;

export interface MessagingClientOptions {
  /** The gateway, e.g. https://messaging.example (REST under /v1, Socket.IO at /socket.io). */
  baseUrl: string;
  /** A token, or a callback that returns one (called before each request and handshake, so tokens can be refreshed). */
  token: TokenProvider | string;
  fetch?: typeof fetch;
  /** Defaults to socket.io-client's `io`. */
  socketFactory?: SocketFactory;
  transports?: ('websocket' | 'polling')[];
  reconnectBackoff?: BackoffOptions;
  /** Between send retries (network errors, 429, 502–504) when the gateway sent no Retry-After. */
  retryBackoff?: BackoffOptions;
  /** Typing signals per channel at most this often. Default 1500 ms. */
  typingIntervalMs?: number;
  /** Messages per catch-up request. Default 100 (the gateway's page maximum may be lower). */
  catchUpPageSize?: number;
  uploader: Uploader;
  random?: () => number;
}

export interface SendInput {
  body: string;
  attachments?: string[];
  /** Chosen by the caller to make a send idempotent across app restarts; generated otherwise. */
  clientMessageId?: string;
}

export interface UploadOptions {
  filename?: string;
  /** Only used as the part's declared type; the gateway detects the real type from the bytes. */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * The client every front end builds on: typed REST (`client.rest`), a realtime connection that
 * authenticates, reconnects with capped jittered backoff and catches up by seq, the channel list and
 * badge (`client.channels`), idempotent sends with retries and an offline queue, typing, receipts,
 * reactions, threads and media uploads with progress.
 */
export class MessagingClient {
  readonly rest: MessagingRestApi;
  readonly channels = new ChannelStore();

  private readonly http: HttpTransport;
  private readonly emitter = new TypedEmitter<MessagingClientEvents>((err, event) => {
    // A throwing `error` listener must not loop back into the emitter.
    if (event !== 'error') this.report(err);
  });
  private readonly queue = new PendingQueue();
  private readonly waiters = new Map<string, { resolve: (m: MessageView) => void; reject: (e: unknown) => void }[]>();
  private readonly timelines = new Map<string, ChannelTimeline>();
  private readonly catchUps = new Map<string, Promise<number>>();
  private readonly catchUpAgain = new Set<string>();
  private readonly typingThrottle: TypingThrottle;
  private readonly reconnectBackoff: BackoffOptions;
  private readonly retryBackoff: BackoffOptions;
  private readonly random: () => number;
  private socket: ClientSocket | undefined;
  private state: ConnectionState = 'idle';
  private wantConnected = false;
  private tokenRejected = false;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private onlineWaiters: (() => void)[] = [];
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing = false;
  private syncRun = 0;
  private badgeEvents = 0;
  private meId: string | undefined;

  constructor(private readonly opts: MessagingClientOptions) {
    const token = opts.token;
    this.http = new HttpTransport({ baseUrl: opts.baseUrl, token: typeof token === 'string' ? () => token : token, fetch: opts.fetch });
    this.rest = new MessagingRestApi(this.http);
    this.typingThrottle = new TypingThrottle(opts.typingIntervalMs ?? 1500);
    this.reconnectBackoff = opts.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF;
    this.retryBackoff = opts.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
    this.random = opts.random ?? Math.random;
  }

  on<K extends keyof MessagingClientEvents>(event: K, listener: MessagingClientEvents[K]): () => void {
    return this.emitter.on(event, listener);
  }

  once<K extends keyof MessagingClientEvents>(event: K, listener: MessagingClientEvents[K]): () => void {
    return this.emitter.once(event, listener);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The underlying Socket.IO socket (diagnostics; e.g. `socket.io.engine.close()` simulates a dropped network). */
  get realtimeSocket(): ClientSocket | undefined {
    return this.socket;
  }

  // ---------------------------------------------------------------- realtime

  /** Opens the realtime connection; resolves once the gateway has joined this user's channel rooms and the first sync ran. */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new Error('client is closed'));
    this.wantConnected = true;
    if (this.state === 'connected') return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    const socket = (this.socket ??= this.createSocket());
    if (!socket.connected && this.state !== 'connecting' && !this.reconnectTimer) {
      this.setState('connecting');
      socket.connect();
    }
    return ready;
  }

  /** Closes the realtime connection on purpose (no reconnect); sends queue until `connect()`. */
  disconnect(): void {
    this.wantConnected = false;
    this.clearReconnect();
    this.socket?.disconnect();
    if (this.state !== 'closed' && this.state !== 'idle') this.setState('disconnected', 'client disconnect');
  }

  /** Disconnects for good; queued sends are rejected. */
  close(): void {
    this.disconnect();
    this.setState('closed');
    const error = new Error('client is closed');
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
    for (const item of this.queue.list()) {
      this.queue.remove(item.clientMessageId);
      this.settle(item.clientMessageId, (w) => w.reject(error));
    }
    this.wakeOnline();
    this.emitter.removeAll();
  }

  private createSocket(): ClientSocket {
    const factory = this.opts.socketFactory ?? (io as SocketFactory);
    const socket = factory(this.http.baseUrl, {
      autoConnect: false,
      // Reconnection is ours (capped, jittered, with catch-up and token refresh), not the manager's.
      reconnection: false,
      forceNew: true,
      transports: this.opts.transports ?? ['websocket', 'polling'],
      auth: (cb: (data: object) => void) => {
        const reason = this.tokenRejected ? 'rejected' : 'request';
        this.http.token(reason).then(
          (token) => cb({ token }),
          (err: unknown) => {
            this.report(err);
            cb({ token: '' });
          },
        );
      },
    });
    socket.on('ready', () => {
      this.tokenRejected = false;
      this.reconnectAttempt = 0;
      this.setState('connected');
      void this.resync().finally(() => {
        for (const w of this.readyWaiters.splice(0)) w.resolve();
      });
      this.wakeOnline();
      void this.flush();
    });
    socket.on('disconnect', (reason) => {
      if (this.state === 'closed') return;
      this.setState('disconnected', reason);
      if (this.wantConnected) this.scheduleReconnect();
    });
    socket.on('connect_error', (err) => {
      if (this.state === 'closed') return;
      if (/unauthori[sz]ed/i.test(err.message)) this.tokenRejected = true;
      this.setState('disconnected', err.message);
      if (this.wantConnected) this.scheduleReconnect();
    });
    socket.on('error', (payload) => this.report(new Error(payload.message)));
    socket.on('message.created', (m) => this.receiveLive(m));
    socket.on('message.updated', (m) => this.emitter.emit('messageUpdated', m));
    socket.on('message.deleted', (p) => this.emitter.emit('messageDeleted', p));
    socket.on('reaction.updated', (p) => this.emitter.emit('reaction', p));
    socket.on('typing', (p) => this.emitter.emit('typing', p));
    socket.on('receipt.updated', (p) => this.emitter.emit('receipt', p));
    socket.on('channel.needs_staffing', (p) => this.emitter.emit('needsStaffing', p));
    socket.on('badge.updated', (p) => {
      this.badgeEvents++;
      this.channels.dispatch({ type: 'badge.updated', payload: p });
      this.emitter.emit('badge', p);
    });
    socket.on('channel.created', (p) => void this.refreshChannel(p.channelId));
    socket.on('channel.updated', (p) => {
      if (isArchiveState(p)) this.channels.dispatch({ type: 'channel.archive', channelId: p.channelId, archived: p.archived });
      else if (this.channels.channel(p.channelId)) this.channels.dispatch({ type: 'channel.snapshot', channel: p.channel });
      else void this.refreshChannel(p.channelId);
    });
    socket.on('member.added', (p) => {
      if (p.userId === this.meId || !this.channels.channel(p.channelId)) void this.refreshChannel(p.channelId);
      else this.channels.dispatch({ type: 'member.added', payload: p });
    });
    socket.on('member.removed', (p) => {
      if (this.meId === undefined) return;
      this.channels.dispatch({ type: 'member.removed', payload: p, me: this.meId });
      if (p.userId === this.meId) this.timelines.delete(p.channelId);
    });
    return socket;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || !this.socket) return;
    const delay = backoffDelay(this.reconnectAttempt++, this.reconnectBackoff, this.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.wantConnected || !this.socket || this.socket.connected) return;
      this.setState('connecting');
      this.socket.connect();
    }, delay);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private setState(state: ConnectionState, reason?: string): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.emitter.emit('connection', reason === undefined ? { state } : { state, reason });
  }

  /**
   * After every connect: the list and badge from the server (events missed while offline are not
   * replayed, so only a fresh read is right), then every tracked channel is caught up by seq.
   */
  private async resync(): Promise<void> {
    const run = ++this.syncRun;
    try {
      if (this.meId === undefined) this.meId = (await this.rest.me()).userId;
      let seenBadgeEvents = this.badgeEvents;
      const [channels, summary] = await Promise.all([this.rest.listChannels(), this.rest.badge()]);
      if (run !== this.syncRun) return;
      this.channels.dispatch({ type: 'synced', channels, summary });
      // A badge event that came while we read may be newer than the summary we got: read it again.
      for (let i = 0; i < 3 && this.badgeEvents !== seenBadgeEvents; i++) {
        seenBadgeEvents = this.badgeEvents;
        this.channels.dispatch({ type: 'summary', summary: await this.rest.badge() });
      }
      const mine = new Set(channels.map((c) => c.id));
      for (const id of [...this.timelines.keys()]) if (!mine.has(id)) this.timelines.delete(id);
      const counts = await Promise.all([...this.timelines.keys()].map((id) => this.catchUp(id)));
      this.emitter.emit('resynced', { channels: channels.length, caughtUp: counts.reduce((a, b) => a + b, 0) });
    } catch (err) {
      this.report(err);
      // The connection is up but a read failed (e.g. a service restarting): try again, backing off.
      if (run === this.syncRun && this.state === 'connected') {
        setTimeout(() => {
          if (run === this.syncRun && this.state === 'connected') void this.resync();
        }, backoffDelay(1, this.reconnectBackoff, this.random));
      }
    }
  }

  private async refreshChannel(channelId: string): Promise<void> {
    try {
      this.channels.dispatch({ type: 'channel.upserted', channel: await this.rest.channel(channelId) });
    } catch (err) {
      if (err instanceof MessagingApiError && err.status === 404) this.channels.dispatch({ type: 'channel.removed', channelId });
      else this.report(err);
    }
  }

  // ---------------------------------------------------------------- timeline

  /**
   * The latest messages of a channel (ascending), and from now on its `message` events are gap-free:
   * after every reconnect the client fetches what it missed with `GET …/messages?after=`.
   */
  async openChannel(channelId: string, opts: { limit?: number } = {}): Promise<MessageView[]> {
    const page = await this.rest.listMessages(channelId, { limit: opts.limit ?? 50 });
    const tracked = this.timelines.get(channelId);
    const newest = page.messages.reduce((max, m) => Math.max(max, m.seq), 0);
    if (!tracked) this.timelines.set(channelId, new ChannelTimeline(channelId, newest));
    else if (tracked.lastSeq < newest) await this.catchUp(channelId);
    return page.messages;
  }

  /** Channels whose message stream is kept gap-free, with the newest seq delivered. */
  trackedChannels(): { channelId: string; lastSeq: number }[] {
    return [...this.timelines.values()].map((t) => ({ channelId: t.channelId, lastSeq: t.lastSeq }));
  }

  private receiveLive(m: MessageView): void {
    let timeline = this.timelines.get(m.channelId);
    // A channel never opened: its stream starts with this message.
    if (!timeline) this.timelines.set(m.channelId, (timeline = new ChannelTimeline(m.channelId, m.seq - 1)));
    for (const d of timeline.receive([m])) this.emitter.emit('message', d);
    if (timeline.hasGap) void this.catchUp(m.channelId);
    if (this.channels.getState().synced && !this.channels.channel(m.channelId)) void this.refreshChannel(m.channelId);
  }

  /** Fetches everything after the newest delivered seq; one run per channel at a time. Resolves with the count delivered. */
  catchUp(channelId: string): Promise<number> {
    const running = this.catchUps.get(channelId);
    if (running) {
      this.catchUpAgain.add(channelId);
      return running;
    }
    const run = this.runCatchUp(channelId).finally(() => this.catchUps.delete(channelId));
    this.catchUps.set(channelId, run);
    return run;
  }

  private async runCatchUp(channelId: string): Promise<number> {
    let delivered = 0;
    try {
      // Rounds: live events held behind a hole, or a catch-up asked for while one ran, need another read.
      for (let round = 0; round < 4; round++) {
        this.catchUpAgain.delete(channelId);
        for (;;) {
          const timeline = this.timelines.get(channelId);
          if (!timeline) return delivered;
          const from = timeline.lastSeq;
          const page = await this.rest.listMessages(channelId, { after: from, limit: this.opts.catchUpPageSize ?? 100 });
          const out = timeline.receivePage(from, page.messages);
          for (const m of out) this.emitter.emit('message', m);
          delivered += out.length;
          if (!page.hasMore) break;
        }
        const timeline = this.timelines.get(channelId);
        if (!timeline || (!timeline.hasGap && !this.catchUpAgain.has(channelId))) break;
        await sleep(100 * (round + 1));
      }
    } catch (err) {
      if (err instanceof MessagingApiError && err.status === 404) this.timelines.delete(channelId);
      else this.report(err);
    }
    return delivered;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends a message. It is queued first: sends leave one at a time in the order written, each retried under
   * its clientMessageId (network errors, 429 and 502–504, honouring Retry-After; never other 4xx); while the
   * realtime connection is down they wait and go out after the reconnect. Resolves with the stored message.
   */
  send(channelId: string, input: SendInput): Promise<MessageView> {
    return this.enqueue({ channelId, body: input.body, clientMessageId: input.clientMessageId ?? newClientMessageId(), ...(input.attachments ? { attachments: input.attachments } : {}) });
  }

  /** A thread reply to `rootMessageId`, with the same guarantees as send. */
  reply(channelId: string, rootMessageId: string, input: Omit<SendInput, 'attachments'>): Promise<MessageView> {
    return this.enqueue({ channelId, body: input.body, threadRootId: rootMessageId, clientMessageId: input.clientMessageId ?? newClientMessageId() });
  }

  /** Messages not yet acknowledged, oldest first. */
  pending(): PendingSend[] {
    return this.queue.list();
  }

  /** Drops a queued message (its promise rejects). An attempt already in flight may still arrive. */
  cancelPending(clientMessageId: string): boolean {
    const item = this.queue.remove(clientMessageId);
    if (item) this.settle(clientMessageId, (w) => w.reject(new Error('send cancelled')));
    return Boolean(item);
  }

  private enqueue(item: Omit<PendingSend, 'attempts' | 'queuedAt'>): Promise<MessageView> {
    if (this.state === 'closed') return Promise.reject(new Error('client is closed'));
    this.queue.enqueue(item);
    this.typingThrottle.reset(item.channelId);
    const result = new Promise<MessageView>((resolve, reject) => {
      const list = this.waiters.get(item.clientMessageId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(item.clientMessageId, list);
    });
    void this.flush();
    return result;
  }

  /** Realtime started and not up: hold sends until the reconnect (REST-only clients always send). */
  private canSend(): boolean {
    return this.socket === undefined || this.state === 'connected';
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let head = this.queue.head(); head && this.state !== 'closed'; head = this.queue.head()) {
        if (!this.canSend()) {
          await this.untilOnline();
          continue;
        }
        try {
          const message = head.threadRootId
            ? await this.rest.reply(head.channelId, head.threadRootId, { clientMessageId: head.clientMessageId, body: head.body })
            : await this.rest.sendMessage(head.channelId, { clientMessageId: head.clientMessageId, body: head.body, ...(head.attachments ? { attachments: head.attachments } : {}) });
          if (!this.queue.remove(head.clientMessageId)) continue; // cancelled meanwhile
          this.receiveLive(message);
          this.emitter.emit('sent', message);
          this.settle(head.clientMessageId, (w) => w.resolve(message));
        } catch (err) {
          const error = err instanceof MessagingApiError ? err : MessagingApiError.network(err);
          if (!error.retryable) {
            const item = this.queue.remove(head.clientMessageId);
            if (item) {
              this.emitter.emit('sendFailed', { pending: item, error });
              this.settle(head.clientMessageId, (w) => w.reject(error));
            }
            continue;
          }
          const attempt = this.queue.recordAttempt(head.clientMessageId);
          await this.untilOnline(retryDelay(attempt - 1, error.retryAfterSeconds, this.retryBackoff, this.random));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private settle(clientMessageId: string, fn: (w: { resolve: (m: MessageView) => void; reject: (e: unknown) => void }) => void): void {
    const list = this.waiters.get(clientMessageId) ?? [];
    this.waiters.delete(clientMessageId);
    for (const w of list) fn(w);
  }

  /** Resolves on the next (re)connect, or after `timeoutMs` when given, whichever is first. */
  private untilOnline(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.onlineWaiters = this.onlineWaiters.filter((w) => w !== done);
        resolve();
      };
      this.onlineWaiters.push(done);
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
    });
  }

  private wakeOnline(): void {
    for (const w of [...this.onlineWaiters]) w();
  }

  // ---------------------------------------------------------------- read state, typing, reactions, media

  /** Moves my read marker to `seq` (never back) and updates the channel list and badge from the answer. */
  async markRead(channelId: string, seq: number): Promise<MarkReadResult> {
    const result = await this.rest.markRead(channelId, seq);
    this.channels.dispatch({ type: 'read', result });
    return result;
  }

  /** Call on every keystroke: at most one signal per channel per interval reaches the gateway. Returns whether one was sent. */
  typing(channelId: string): boolean {
    if (!this.socket?.connected || !this.typingThrottle.shouldSend(channelId, Date.now())) return false;
    this.socket.emit('typing', { channelId });
    return true;
  }

  react(channelId: string, messageId: string, emoji: string, on = true): Promise<MessageView> {
    return on ? this.rest.react(channelId, messageId, emoji) : this.rest.unreact(channelId, messageId, emoji);
  }

  /** Uploads an image or video (multipart), reporting progress; resolves with the media to attach to a message. */
  async uploadMedia(data: Blob | ArrayBuffer | Uint8Array, opts: UploadOptions = {}): Promise<MediaView> {
    const bytes = data instanceof Blob ? data : new Blob([data] as ConstructorParameters<typeof Blob>[0], opts.contentType ? { type: opts.contentType } : {});
    const attempt = async (reason: 'request' | 'rejected') => {
      try {
        return await this.opts.uploader({
          url: this.http.url('/v1/media'),
          token: await this.http.token(reason),
          bytes,
          filename: opts.filename ?? 'upload',
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        throw MessagingApiError.network(err);
      }
    };
    let res = await attempt('request');
    if (res.status === 401) res = await attempt('rejected');
    const body = parseJson(res.bodyText);
    if (res.status < 200 || res.status >= 300) throw MessagingApiError.fromResponse(res.status, body, res.retryAfter);
    return body as MediaView;
  }

  /** The bytes of a media item (members of a channel it was posted in, and the uploader). */
  async downloadMedia(mediaId: string, opts: { variant?: MediaVariant; signal?: AbortSignal } = {}): Promise<{ contentType: string; bytes: Uint8Array }> {
    const res = await this.rest.mediaResponse(mediaId, opts);
    return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', bytes: new Uint8Array(await res.arrayBuffer()) };
  }

  private report(err: unknown): void {
    this.emitter.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}

function isArchiveState(p: ChannelChangedPayload | ChannelArchiveStatePayload): p is ChannelArchiveStatePayload {
  return typeof (p as ChannelArchiveStatePayload).archived === 'boolean' && !(p as ChannelChangedPayload).channel;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Web Crypto's randomUUID where present (browsers, Node ≥ 19); otherwise random enough for an idempotency key. */
export function newClientMessageId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
