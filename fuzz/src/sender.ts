import http from 'node:http';
import { FuzzRequest } from './cases';

/** What became of one request. */
export interface Outcome {
  index: number;
  route: string;
  /** The status, when an answer came. */
  status?: number;
  /** Set when no answer came: the connection was reset or closed first, or the answer took too long. */
  dropped?: string;
  /** The first characters of the answer, kept for failures. */
  excerpt?: string;
  ms: number;
}

const ANSWER_TIMEOUT_MS = 15_000;

/**
 * Sends one request over node:http (not fetch: it must send what fetch would refuse or repair — malformed
 * percent-encoding, any content type, bodies that lie about their type) and waits for the whole answer.
 */
export function send(baseUrl: string, agent: http.Agent, req: FuzzRequest): Promise<Outcome> {
  const started = Date.now();
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<Outcome, 'index' | 'route' | 'ms'>): void => {
      if (settled) return;
      settled = true;
      resolve({ index: req.index, route: req.route, ms: Date.now() - started, ...o });
    };
    const headers: Record<string, string | number> = { ...req.headers, 'x-correlation-id': `fuzz-${req.index}` };
    if (req.body) headers['content-length'] = req.body.length;
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 2_000) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => done({ status: res.statusCode, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
      // An answer whose body is cut off still answered: its status counts.
      res.on('error', () => done({ status: res.statusCode, excerpt: '(answer cut off)' }));
      res.on('aborted', () => done({ status: res.statusCode, excerpt: '(answer cut off)' }));
    });
    r.setTimeout(ANSWER_TIMEOUT_MS, () => {
      done({ dropped: `no answer within ${ANSWER_TIMEOUT_MS} ms` });
      r.destroy();
    });
    r.on('error', (err: NodeJS.ErrnoException) => done({ dropped: err.code ?? err.message }));
    r.end(req.body);
  });
}

/** Sends every request with at most `concurrency` in flight; `onOutcome` sees each as it completes. */
export async function sendAll(baseUrl: string, requests: Iterable<FuzzRequest>, concurrency: number, onOutcome: (o: Outcome, r: FuzzRequest) => void): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const queue = requests[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      onOutcome(await send(baseUrl, agent, next.value), next.value);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}
