import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { GatewayClient } from '@wellifiy/testing';
import { sleep } from './infra';

export interface User {
  userId: string;
  kind: 'team_member' | 'patient';
  token: string;
  email?: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  seq: number;
  senderId: string;
  clientMessageId?: string;
}

/** HTTP against one of the gateways; a network failure or timeout comes back as status 0. */
export async function call<T = any>(base: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 8000): Promise<{ status: number; body: T }> {
  try {
    const res = await new GatewayClient(base).request<T>(method, path, { token, body, timeoutMs });
    return { status: res.status, body: res.body };
  } catch (err) {
    return { status: 0, body: { message: (err as Error).message } as T };
  }
}

/** The same call through each gateway in turn until one answers without a server error. */
export async function callAny<T = any>(bases: string[], method: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  let last: { status: number; body: T } = { status: 0, body: null as T };
  for (const base of bases) {
    last = await call<T>(base, method, path, token);
    if (last.status > 0 && last.status < 500) return last;
  }
  return last;
}

/** Ids a client holds for one channel, in the order it shows them. */
interface ChannelView {
  last: number;
  order: StoredMessage[];
  known: Set<string>;
  catchingUp?: Promise<void>;
  again: boolean;
}

/**
 * A client app as a careful front end writes one: one Socket.IO connection (failing over between the
 * gateways with backoff), a per-channel timeline kept in seq order, and catch-up through the REST history
 * (`after=<last seq>`) on every (re)connect and whenever a pushed seq leaves a gap.
 */
export class ClientApp {
  private socket?: Socket;
  private attempt = 0;
  private nextGateway: number;
  private connectionId = 0;
  private closed = false;
  dropped = false;
  connected = false;
  readonly views = new Map<string, ChannelView>();
  /** messageId → times the same live connection received it more than once. */
  readonly socketDuplicates = new Map<string, number>();
  /** messageId → times it broke the client's order (a seq that did not follow, or a stored gap). */
  readonly disorder = new Map<string, number>();
  socketDeliveries = 0;
  catchUpDeliveries = 0;

  constructor(
    readonly user: User,
    private readonly gateways: string[],
    channelIds: string[],
    startAt: number,
  ) {
    this.nextGateway = startAt;
    for (const id of channelIds) this.views.set(id, { last: 0, order: [], known: new Set(), again: false });
  }

  has(channelId: string, messageId: string): boolean {
    return this.views.get(channelId)?.known.has(messageId) ?? false;
  }

  connect(): void {
    if (this.closed || this.dropped) return;
    const url = this.gateways[this.nextGateway % this.gateways.length];
    const id = ++this.connectionId;
    const seen = new Set<string>();
    const socket = new GatewayClient(url).socket(this.user.token, { timeoutMs: 4000 });
    this.socket = socket;
    socket.on('ready', () => {
      this.attempt = 0;
      this.connected = true;
      for (const channelId of this.views.keys()) void this.catchUp(channelId);
    });
    socket.on('message.created', (m: StoredMessage) => {
      if (seen.has(m.id)) this.socketDuplicates.set(m.id, (this.socketDuplicates.get(m.id) ?? 0) + 1);
      seen.add(m.id);
      this.socketDeliveries++;
      this.onPushed(m);
    });
    const lost = (): void => {
      if (this.connectionId !== id) return;
      this.connected = false;
      socket.removeAllListeners();
      socket.close();
      if (this.closed || this.dropped) return;
      // Next time, the other gateway; back off while none answers.
      this.nextGateway++;
      const delay = Math.min(200 * 2 ** this.attempt++, 2000);
      setTimeout(() => this.connect(), delay);
    };
    socket.on('disconnect', lost);
    socket.on('connect_error', lost);
  }

  /** The network goes away (no reconnect until restore()). */
  drop(): void {
    this.dropped = true;
    this.connected = false;
    this.connectionId++;
    this.socket?.removeAllListeners();
    this.socket?.close();
  }

  restore(): void {
    this.dropped = false;
    this.attempt = 0;
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.connectionId++;
    this.socket?.removeAllListeners();
    this.socket?.close();
  }

  private onPushed(m: StoredMessage): void {
    const view = this.views.get(m.channelId);
    if (!view || view.known.has(m.id)) return;
    if (m.seq === view.last + 1 && !view.catchingUp) this.append(view, m);
    else if (m.seq > view.last) void this.catchUp(m.channelId);
    else this.disorder.set(m.id, (this.disorder.get(m.id) ?? 0) + 1); // a seq already shown with another message
  }

  private append(view: ChannelView, m: StoredMessage): void {
    if (m.seq !== view.last + 1) this.disorder.set(m.id, (this.disorder.get(m.id) ?? 0) + 1);
    view.order.push(m);
    view.known.add(m.id);
    view.last = Math.max(view.last, m.seq);
  }

  /** Fetches what follows the last seq shown; one fetch per channel at a time (a request during one runs after it). */
  catchUp(channelId: string): Promise<void> {
    const view = this.views.get(channelId);
    if (!view) return Promise.resolve();
    if (view.catchingUp) {
      view.again = true;
      return view.catchingUp;
    }
    view.catchingUp = (async () => {
      do {
        view.again = false;
        await this.fetchAfter(channelId, view);
      } while (view.again);
    })().finally(() => (view.catchingUp = undefined));
    return view.catchingUp;
  }

  private async fetchAfter(channelId: string, view: ChannelView): Promise<void> {
    for (let page = 0; page < 50; page++) {
      const base = this.gateways[(this.nextGateway + page) % this.gateways.length];
      const res = await call<{ messages: StoredMessage[]; hasMore: boolean }>(base, 'GET', `/v1/channels/${channelId}/messages?after=${view.last}&limit=100`, this.user.token);
      if (res.status !== 200) return; // tried again on the next push, reconnect or check
      for (const m of res.body.messages) {
        if (view.known.has(m.id)) continue;
        this.catchUpDeliveries++;
        this.append(view, m);
      }
      if (!res.body.hasMore) return;
    }
  }
}

export interface SendRecord {
  row: string;
  clientMessageId: string;
  channelId: string;
  senderId: string;
  startedAt: number;
  ackedAt?: number;
  id?: string;
  seq?: number;
  attempts: number;
  lastError?: string;
  /** HTTP status of each failed attempt (0: no answer). */
  failures: number[];
}

/** Sends with retries under the same clientMessageId (the API's idempotency), alternating gateways. */
export async function sendMessage(gateways: string[], sender: User, channelId: string, row: string, deadlineMs: number): Promise<SendRecord> {
  const rec: SendRecord = { row, clientMessageId: randomUUID(), channelId, senderId: sender.userId, startedAt: Date.now(), attempts: 0, failures: [] };
  const deadline = Date.now() + deadlineMs;
  // Sends spread over both gateways; a retry goes to the next one.
  const first = Math.floor(Math.random() * gateways.length);
  while (Date.now() < deadline) {
    const base = gateways[(first + rec.attempts) % gateways.length];
    rec.attempts++;
    const res = await call<StoredMessage & { message?: string }>(base, 'POST', `/v1/channels/${channelId}/messages`, sender.token, {
      clientMessageId: rec.clientMessageId,
      body: `fault load ${row} ${rec.clientMessageId.slice(0, 8)}`,
    });
    if (res.status === 200 || res.status === 201) {
      rec.ackedAt = Date.now();
      rec.id = res.body.id;
      rec.seq = res.body.seq;
      return rec;
    }
    rec.failures.push(res.status);
    rec.lastError = `${res.status} ${typeof res.body === 'object' && res.body ? (res.body.message ?? '') : ''}`.trim();
    if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 404) return rec; // our fault: do not insist
    await sleep(Math.min(150 * rec.attempts, 1000));
  }
  return rec;
}
