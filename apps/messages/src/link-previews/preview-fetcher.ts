import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import { AddressRefused, checkedAddress, HostAllowList, pinnedLookup, ResolvedAddress, Resolver, systemResolver } from '@wellifiy/outbound';
import { decodeHtml } from './html-preview';

export const MAX_REDIRECTS = 3;

export interface PreviewFetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface FetchedPage {
  /** The URL that answered (after redirects). */
  url: URL;
  html: string;
  /** true when the body was longer than maxBytes and was cut there. */
  truncated: boolean;
}

/** Why a page is not previewed. Final: the job does not retry these. */
export class PreviewRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PreviewRefused';
  }
}

/**
 * Fetches an HTML page for a preview, guarding against SSRF:
 * - the host is resolved here and every address checked (@wellifiy/outbound, the policy push endpoints
 *   share) unless the allow-list names it;
 * - the connection goes to the address that was checked (a pinned lookup), so a second DNS answer cannot
 *   swap in another one (DNS rebinding);
 * - each redirect hop (at most MAX_REDIRECTS) is checked the same way;
 * - one deadline covers the whole fetch; only text/html is read, and at most maxBytes of it.
 */
export class PreviewFetcher {
  constructor(
    private readonly allowList: HostAllowList,
    private readonly limits: PreviewFetchLimits,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async fetch(url: string): Promise<FetchedPage> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.limits.timeoutMs);
    try {
      let current = parseHttpUrl(url);
      for (let hop = 0; ; hop++) {
        const address = await this.checkedAddress(current);
        const res = await request(current, address, controller.signal);
        const location = res.headers.location;
        if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
          res.resume();
          if (hop >= MAX_REDIRECTS) throw new PreviewRefused(`more than ${MAX_REDIRECTS} redirects`);
          current = parseHttpUrl(new URL(location, current).toString());
          continue;
        }
        if (res.statusCode !== 200) {
          res.resume();
          throw new PreviewRefused(`status ${res.statusCode}`);
        }
        const type = String(res.headers['content-type'] ?? '').toLowerCase();
        if (!/^(text\/html|application\/xhtml\+xml)\b/.test(type)) {
          res.resume();
          throw new PreviewRefused(`not HTML (${type || 'no content type'})`);
        }
        const { body, truncated } = await readCapped(res, this.limits.maxBytes);
        return { url: current, html: decodeHtml(body, type), truncated };
      }
    } catch (err) {
      if (controller.signal.aborted) throw new PreviewRefused(`no answer within ${this.limits.timeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The address to connect to; refuses hosts with any non-public address unless allow-listed. */
  private async checkedAddress(url: URL): Promise<ResolvedAddress> {
    try {
      return await checkedAddress(url, this.allowList, this.resolve);
    } catch (err) {
      if (err instanceof AddressRefused) throw new PreviewRefused(err.reason);
      throw err;
    }
  }
}

function parseHttpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PreviewRefused('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PreviewRefused(`scheme ${url.protocol} not fetched`);
  if (url.username || url.password) throw new PreviewRefused('credentials in URL');
  return url;
}

function request(url: URL, pinned: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'GET',
        lookup: pinnedLookup(pinned),
        signal,
        headers: { accept: 'text/html,application/xhtml+xml', 'user-agent': 'WellifiyLinkPreview/1.0', 'accept-encoding': 'identity' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

async function readCapped(res: IncomingMessage, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    const room = max - total;
    if (chunk.length >= room) {
      parts.push(chunk.subarray(0, room));
      res.destroy(); // the rest is never read
      return { body: Buffer.concat(parts), truncated: chunk.length > room || !res.complete };
    }
    parts.push(chunk);
    total += chunk.length;
  }
  return { body: Buffer.concat(parts), truncated: false };
}
