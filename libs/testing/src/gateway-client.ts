import { io, Socket } from 'socket.io-client';

/** One answer of the gateway as it came: any status, the body parsed when it is JSON (else its text; null when empty). */
export interface GatewayResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface GatewayRequest {
  /** Sent as `Authorization: Bearer <token>`; none: an anonymous call. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as written (hostile or malformed input), as application/json unless `headers` name another type. */
  rawBody?: string;
  /** Sent as `x-correlation-id`, which the gateway passes to every service the request reaches. */
  correlationId?: string;
  headers?: Record<string, string>;
  /** The call is abandoned after this long (it then throws, like any network failure). */
  timeoutMs?: number;
}

export interface GatewaySocketOptions {
  /** Handshake headers, e.g. a browser's Origin. */
  extraHeaders?: Record<string, string>;
  /** How long the handshake may take before connect_error (Socket.IO's default otherwise). */
  timeoutMs?: number;
}

/**
 * The gateway as the suites drive it (e2e, faults, bench): HTTP and Socket.IO plumbing only. It never retries and
 * never throws for a status, so each suite keeps its own meaning of an answer (the e2e tests assert it, the fault
 * suite counts failures, the benchmark times it); a network failure or timeout throws.
 *
 * Not the product's client (@wellifiy/messaging-client): that one throws on every error status, always sends a
 * token and sends again with a fresh one after a 401 — what an app wants, not what a test of those answers needs.
 */
export class GatewayClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  async request<T = any>(method: string, path: string, opts: GatewayRequest = {}): Promise<GatewayResponse<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.correlationId) headers['x-correlation-id'] = opts.correlationId;
    let body: string | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const signal = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs);
    const res = await fetch(`${this.url}${path}`, { method, headers, body, signal });
    return { status: res.status, body: parseBody(await res.text()) as T, headers: res.headers };
  }

  /**
   * A Socket.IO connection of its own (no shared manager), websocket only and never reconnecting by itself: each
   * suite decides what a lost connection means. `auth` is a token, or the whole handshake auth (refusal tests).
   */
  socket(auth: string | Record<string, unknown>, opts: GatewaySocketOptions = {}): Socket {
    return io(this.url, {
      auth: typeof auth === 'string' ? { token: auth } : auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(opts.extraHeaders ? { extraHeaders: opts.extraHeaders } : {}),
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    });
  }
}

/** Resolves once the gateway has joined the socket to its rooms (its `ready` event); rejects with the connect_error. */
export function socketReady(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON (e.g. /metrics)
  }
}
