import { MessagingApiError } from './errors';

/**
 * Supplies the bearer token for REST and the realtime handshake. Called before every request and connect,
 * so it should cache; `reason: 'rejected'` means the gateway refused the last token (expired, revoked):
 * return a fresh one.
 */
export type TokenProvider = (ctx: { reason: 'request' | 'rejected' }) => string | Promise<string>;

export type QueryValue = string | number | boolean | undefined | null;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

export interface HttpTransportOptions {
  baseUrl: string;
  token: TokenProvider;
  /** Defaults to the global fetch (browsers, Node ≥ 18). */
  fetch?: typeof fetch;
}

/** JSON over fetch against the gateway; every failure becomes a MessagingApiError. */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: HttpTransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    const f = opts.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new Error('@wellifiy/messaging-client needs fetch: pass options.fetch on this platform');
    // Called unbound, a browser's window.fetch throws "Illegal invocation".
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) qs.set(k, String(v));
    const s = qs.toString();
    return `${this.baseUrl}${path}${s ? `?${s}` : ''}`;
  }

  token(reason: 'request' | 'rejected' = 'request'): Promise<string> {
    return Promise.resolve(this.opts.token({ reason }));
  }

  async request<T>(req: HttpRequest): Promise<T> {
    const res = await this.send(req, 'request');
    // One retry with a fresh token: a token that expired mid-session is not the caller's error.
    const final = res.status === 401 ? await this.send(req, 'rejected') : res;
    return this.parse<T>(final);
  }

  /** The raw response (media downloads); throws MessagingApiError on an error status. */
  async raw(req: HttpRequest & { headers?: Record<string, string> }): Promise<Response> {
    let res = await this.send(req, 'request', req.headers);
    if (res.status === 401) res = await this.send(req, 'rejected', req.headers);
    if (!res.ok) throw MessagingApiError.fromResponse(res.status, await readBody(res), res.headers.get('retry-after'));
    return res;
  }

  private async send(req: HttpRequest, reason: 'request' | 'rejected', extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${await this.token(reason)}`, ...extra };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    try {
      return await this.fetchImpl(this.url(req.path, req.query), { method: req.method, headers, body, signal: req.signal });
    } catch (err) {
      throw MessagingApiError.network(err);
    }
  }

  private async parse<T>(res: Response): Promise<T> {
    let body: unknown;
    try {
      body = await readBody(res);
    } catch (err) {
      throw MessagingApiError.network(err);
    }
    if (!res.ok) throw MessagingApiError.fromResponse(res.status, body, res.headers.get('retry-after'));
    return body as T;
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A path segment from caller input: ids and emoji are URL-encoded, never spliced raw. */
export const seg = (value: string): string => encodeURIComponent(value);
