import http from 'node:http';
import net from 'node:net';
import { FuzzContext, FuzzRequest } from './cases';
import { Outcome, send } from './sender';

const ROUTE = 'POST /v1/media';
const BOUNDARY = 'probeBoundary';

function upload(image: Buffer, padding: number): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
    image,
    Buffer.alloc(padding, 7),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** Sends `declared` as Content-Length, only `body`, then half-closes: the status line that came back, if any. */
function truncated(baseUrl: string, headers: Record<string, string>, declared: number, body: Buffer): Promise<{ status?: number; dropped?: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const head = Object.entries({ host: url.host, ...headers, 'content-length': String(declared) }).map(([k, v]) => `${k}: ${v}`).join('\r\n');
      socket.write(`POST /v1/media HTTP/1.1\r\n${head}\r\n\r\n`);
      socket.end(body);
    });
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 15000 ms')), 15_000);
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => received || resolve({ dropped: err.code ?? err.message }));
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve(status ? { status: Number(status) } : { dropped: 'closed without an answer' });
    });
  });
}

/**
 * Fixed probes of the upload route, after the random requests: uploads far over the limit and large uploads from
 * callers refused before the body is read (the gateway answers early and must still drain or close cleanly), each
 * followed by a small upload on the same keep-alive connection, the same in parallel, and bodies cut off mid-way.
 * The fuzz run saw dropped connections on this route; these are the shapes that could cause them.
 */
export async function uploadProbes(baseUrl: string, ctx: FuzzContext, firstIndex: number): Promise<{ request: FuzzRequest; outcome: Outcome }[]> {
  const results: { request: FuzzRequest; outcome: Outcome }[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const type = `multipart/form-data; boundary=${BOUNDARY}`;
  const valid = ctx.callers.manager ?? '';
  let index = firstIndex;
  const make = (what: string, caller: string, body: Buffer, contentType = type): FuzzRequest => {
    const auth = ctx.callers[caller];
    return { index: index++, route: ROUTE, method: 'POST', url: '/v1/media', headers: { 'content-type': contentType, ...(auth ? { authorization: auth } : {}) }, body, caller, what: `probe: ${what}` };
  };
  const run = async (r: FuzzRequest, via = agent): Promise<void> => void results.push({ request: r, outcome: await send(baseUrl, via, r) });
  try {
    for (const size of [1024 * 1024, 8 * 1024 * 1024]) {
      const mb = `${size / 1024 / 1024} MB`;
      await run(make(`an upload of ${mb}, over the limit`, 'manager', upload(ctx.image, size)));
      await run(make('then a small upload on the same connection', 'manager', upload(ctx.image, 0)));
      await run(make(`an upload of ${mb} without a token (refused before the body is read)`, 'none', upload(ctx.image, size)));
      await run(make('then a small upload on the same connection', 'manager', upload(ctx.image, 0)));
      await run(make(`an upload of ${mb} with a forged token`, 'forged', upload(ctx.image, size)));
      await run(make(`${mb} of multipart under another boundary`, 'manager', upload(ctx.image, size), 'multipart/form-data; boundary=other'));
      await run(make('then a small upload on the same connection', 'manager', upload(ctx.image, 0)));
      const parallel = new http.Agent({ keepAlive: true, maxSockets: 4 });
      await Promise.all([0, 1, 2, 3].map((i) => run(make(`one of four parallel uploads of ${mb}`, i % 2 ? 'none' : 'manager', upload(ctx.image, size)), parallel)));
      parallel.destroy();
    }
    for (const [what, headers, declared, body] of [
      ['a multipart body cut off after 100 KB of 1 MB', { 'content-type': type, authorization: valid }, 1024 * 1024, upload(ctx.image, 100 * 1024)],
      ['a multipart body cut off inside the part headers', { 'content-type': type, authorization: valid }, 4096, Buffer.from(`--${BOUNDARY}\r\nContent-Disp`)],
      ['a multipart body cut off, without a token', { 'content-type': type }, 1024 * 1024, upload(ctx.image, 100 * 1024)],
    ] as const) {
      const r = make(what, headers.authorization ? 'manager' : 'none', body);
      const started = Date.now();
      results.push({ request: r, outcome: { index: r.index, route: ROUTE, ms: 0, ...(await truncated(baseUrl, headers, declared, body)) } });
      results[results.length - 1].outcome.ms = Date.now() - started;
    }
  } finally {
    agent.destroy();
  }
  return results;
}
