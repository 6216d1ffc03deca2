import { OpenApiSchema, Route } from './openapi';
import { Rng } from './rng';

/** One request the fuzzer sends, exactly as it goes on the wire. */
export interface FuzzRequest {
  index: number;
  /** The route it targets, as in the OpenAPI document: `GET /v1/channels/{id}`. */
  route: string;
  method: string;
  /** Path and query, already percent-encoded as sent (hostile encodings included). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Who calls (one of FuzzContext.callers). */
  caller: string;
  /** What is hostile about it, for the report. */
  what: string;
}

/** What the system under test gave the fuzzer: callers' Authorization headers and ids that exist. */
export interface FuzzContext {
  /** Caller name → Authorization header value (undefined: no header). */
  callers: Record<string, string | undefined>;
  channelId: string;
  messageId: string;
  patientId: string;
  userId: string;
  mediaId: string;
  /** A small valid image, for valid uploads among the junk. */
  image: Buffer;
}

const deepArrays = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObjects = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Path segment values, raw (percent-encoding as sent). */
export const HOSTILE_PATH_VALUES: readonly string[] = [
  '%00', 'a%00b', '%00%00%00', '%ED%A0%80', '%ED%BF%BF', '%C0%AE%C0%AE', '%C0%80', '%FF%FE', '..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows',
  '..', '.', '%2e%2e', '__proto__', 'constructor', 'prototype', '%24where', '%7B%22%24gt%22%3A%22%22%7D', '1e309', '-1', '0',
  '99999999999999999999999', 'NaN', 'null', 'undefined', 'true', '%20', '%09', '%', '%zz', '%E2%80%AE', '%0A', '%0D%0Ax-injected%3A%201',
  '*', '%5B%5D', '%F0%9F%98%80', '%C3%BC', 'x'.repeat(129), 'x'.repeat(3000), 'med_', 'ch_%00', 'care_team%00', 'like%00',
];

/** Query values, raw. */
export const HOSTILE_QUERY_VALUES: readonly string[] = [
  '%00', 'a%00', '%ED%A0%80', '1e309', '-1e309', '-1', '0', '1.5', 'NaN', 'Infinity', '99999999999999999999', '9007199254740993', '',
  'true', 'false', 'yes', '__proto__', '%24gt', '%7B%7D', '%5B%5D', 'x'.repeat(5000), '%F0%9F%98%80', '..%2F..%2F', 'null', '%25', '%',
];

/** JSON values as text, so lone surrogates, NUL escapes and out-of-range numbers reach the server as written. */
export const HOSTILE_JSON_VALUES: readonly string[] = [
  '"a\\u0000b"', '"\\u0000"', '"\\ud800"', '"x\\udfff"', '"\\ud83d"', '1e400', '-1e400', '123456789012345678901234567890', '-0', '0.5',
  '-1', '0', '9007199254740993', 'null', 'true', 'false', '{}', '[]', '[null]', '{"$gt":""}', '{"$where":"sleep(1000)"}',
  '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '["a\\u0000"]', `"${'x'.repeat(20_000)}"`,
  `"${'é'.repeat(5_000)}"`, '"\\u202e\\u0301\\ud83d\\ude00"', '"../../etc/passwd"', '"<script>alert(1)</script>"', '""', '"   "',
  deepArrays(40), deepArrays(5_000), deepObjects(5_000), `[${'"x",'.repeat(3_000)}"x"]`, '"med_abc"', '"like"', '"care_team"',
];

/** Whole bodies, as text, sent as application/json. */
export const HOSTILE_JSON_BODIES: readonly string[] = [
  '', '{', '{"a":1', '}', 'null', '[]', '"string"', '1', 'true', '\ufeff{}', '{"a":1,"a":2}', deepArrays(20_000), deepObjects(8_000),
  `{"x":"${'y'.repeat(70_000)}"}`, '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '\u0000', '{"\\u0000":1}',
  '{"a":"\\ud800"}', 'NaN', '{a:1}', "{'a':1}", '[1,2,', '{"a":1}garbage',
];

/** Content types sent with an ordinary body. */
const CONTENT_TYPES: readonly string[] = [
  'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'application/json; charset=nope', 'application/xml', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/octet-stream',
  'application/merge-patch+json', 'image/png', '',
];

const BOUNDARY = 'fuzzBoundary7MA4YWxk';

/** Multipart bodies for the upload route: one valid upload now and then among the junk. */
function multipartCase(rng: Rng, image: Buffer): { what: string; contentType: string; body: Buffer } {
  const part = (name: string, filename: string | null, type: string, content: Buffer | string): Buffer =>
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename === null ? '' : `; filename="${filename}"`}\r\nContent-Type: ${type}\r\n\r\n`),
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      Buffer.from('\r\n'),
    ]);
  const end = Buffer.from(`--${BOUNDARY}--\r\n`);
  const withBoundary = `multipart/form-data; boundary=${BOUNDARY}`;
  const cases: (() => { what: string; contentType: string; body: Buffer })[] = [
    () => ({ what: 'a valid image upload', contentType: withBoundary, body: Buffer.concat([part('file', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'multipart without a boundary', contentType: 'multipart/form-data', body: Buffer.concat([part('file', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'multipart with another boundary', contentType: 'multipart/form-data; boundary=other', body: Buffer.concat([part('file', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'multipart without the closing boundary', contentType: withBoundary, body: part('file', 'a.png', 'image/png', image) }),
    () => ({ what: 'multipart cut inside the headers of a part', contentType: withBoundary, body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`) }),
    () => ({ what: 'a part without a filename', contentType: withBoundary, body: Buffer.concat([part('file', null, 'image/png', image), end]) }),
    () => ({ what: 'the file under another field name', contentType: withBoundary, body: Buffer.concat([part('upload', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'two files', contentType: withBoundary, body: Buffer.concat([part('file', 'a.png', 'image/png', image), part('file', 'b.png', 'image/png', image), end]) }),
    () => ({ what: 'text claiming to be an image', contentType: withBoundary, body: Buffer.concat([part('file', 'a.png', 'image/png', 'not an image at all'), end]) }),
    () => ({ what: 'an empty file', contentType: withBoundary, body: Buffer.concat([part('file', 'a.png', 'image/png', Buffer.alloc(0)), end]) }),
    () => ({ what: 'a filename with NUL and traversal', contentType: withBoundary, body: Buffer.concat([part('file', '../../etc/pa\u0000sswd', 'image/png', image), end]) }),
    () => ({ what: 'a filename with a lone surrogate', contentType: withBoundary, body: Buffer.concat([part('file', 'a\ud800.png', 'image/png', image), end]) }),
    () => ({ what: 'random bytes as multipart', contentType: withBoundary, body: Buffer.from(Array.from({ length: 2_000 }, () => rng.int(256))) }),
    () => ({ what: 'an extra text field', contentType: withBoundary, body: Buffer.concat([part('caption', null, 'text/plain', 'x\u0000y'), part('file', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'a file over the upload limit', contentType: withBoundary, body: Buffer.concat([part('file', 'big.png', 'image/png', Buffer.concat([image, Buffer.alloc(600 * 1024, 7)])), end]) }),
    () => ({ what: 'a header line of 20 KB', contentType: withBoundary, body: Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nX-Junk: ${'j'.repeat(20_000)}\r\n`), part('file', 'a.png', 'image/png', image), end]) }),
    () => ({ what: 'JSON sent to the upload route', contentType: 'application/json', body: Buffer.from('{"file":"a.png"}') }),
  ];
  return rng.pick(cases)();
}

/** A value that satisfies `schema` as far as the fuzzer can tell, given the ids that exist. */
function plausible(name: string, schema: OpenApiSchema, ctx: FuzzContext, rng: Rng, depth = 0): unknown {
  if (schema.enum?.length) return rng.pick(schema.enum);
  if (depth > 4) return null;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return rng.chance(0.5);
    case 'array':
      return [plausible(name, schema.items ?? { type: 'string' }, ctx, rng, depth + 1)];
    case 'object': {
      // Optional fields now and then, so plausible requests also get past validation (attachments, reasons…).
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties ?? {}).filter(([k]) => required.has(k) || rng.chance(0.4));
      return Object.fromEntries(fields.map(([k, v]) => [k, plausible(k, v, ctx, rng, depth + 1)]));
    }
    default:
      if (schema.properties) return plausible(name, { ...schema, type: 'object' }, ctx, rng, depth);
      if (/mediaid/i.test(name)) return ctx.mediaId;
      if (/userid|memberids|teammemberids/i.test(name)) return ctx.userId;
      if (/patientid/i.test(name)) return ctx.patientId;
      if (/clientmessageid/i.test(name)) return `fz-${rng.int(1e9)}`;
      return 'hello';
  }
}

/** A valid value for a path parameter of `route`. */
function validPathValue(route: Route, param: string, ctx: FuzzContext): string {
  switch (param) {
    case 'id':
      return route.path.startsWith('/v1/media') ? ctx.mediaId : ctx.channelId;
    case 'messageId':
      return ctx.messageId;
    case 'userId':
      return ctx.userId;
    case 'patientId':
      return ctx.patientId;
    case 'type':
      return 'care_team';
    case 'emoji':
      return 'like';
    default:
      return 'x';
  }
}

/** A stable 32-bit seed for request `index` of run `seed` (each request can be replayed alone). */
export function requestSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Request `index` of the run with `seed`: a route in turn (every route gets its share), a caller (valid or not), and
 * one hostile part — a path value, a query, a body field, a whole body, a content type — or none (a plausible request).
 */
export function generateRequest(routes: readonly Route[], ctx: FuzzContext, seed: number, index: number): FuzzRequest {
  const rng = new Rng(requestSeed(seed, index));
  const route = routes[index % routes.length];
  const callerNames = Object.keys(ctx.callers);
  // Valid callers most of the time, so hostile values reach the services rather than stopping at 401.
  const caller = rng.chance(0.7) ? rng.pick(callerNames.slice(0, 3)) : rng.pick(callerNames);
  const headers: Record<string, string> = {};
  const auth = ctx.callers[caller];
  if (auth !== undefined) headers.authorization = auth;

  const pathValues = Object.fromEntries(route.pathParams.map((p) => [p, encodeURIComponent(validPathValue(route, p, ctx))]));
  const query: string[] = [];
  let body: Buffer | undefined;
  let what = 'plausible request';

  const kinds = ['path', 'query', 'body-field', 'body-whole', 'content-type', 'plausible'] as const;
  const weights = [route.pathParams.length ? 3 : 0, 2, route.jsonBody ? 4 : 1, route.jsonBody ? 2 : 1, route.jsonBody ? 1 : 0, 1];
  let roll = rng.next() * weights.reduce((a, b) => a + b, 0);
  const kind = kinds.find((_, i) => (roll -= weights[i]) < 0) ?? 'plausible';

  if (kind === 'path') {
    const param = rng.pick(route.pathParams);
    pathValues[param] = rng.pick(HOSTILE_PATH_VALUES);
    what = `path ${param}=${truncate(pathValues[param])}`;
  }
  if (kind === 'query') {
    const known = route.query.map((q) => q.name);
    const name = known.length && rng.chance(0.7) ? rng.pick(known) : rng.pick(['__proto__', 'constructor', 'limit', 'after', 'x', 'a[b]', '%00', 'type']);
    const value = rng.pick(HOSTILE_QUERY_VALUES);
    query.push(`${name}=${value}`);
    if (rng.chance(0.2)) query.push(`${name}=${rng.pick(HOSTILE_QUERY_VALUES)}`); // repeated: an array where a string is expected
    what = `query ${truncate(query.join('&'))}`;
  } else if (route.query.length && rng.chance(0.3)) {
    const q = rng.pick(route.query);
    query.push(`${q.name}=${encodeURIComponent(String(plausible(q.name, q.schema, ctx, rng)))}`);
  }

  if (route.multipart) {
    const m = multipartCase(rng, ctx.image);
    headers['content-type'] = m.contentType;
    body = m.body;
    what = kind === 'path' || kind === 'query' ? `${what}; ${m.what}` : m.what;
  } else if (route.jsonBody || ['POST', 'PUT', 'PATCH'].includes(route.method)) {
    const base = (route.jsonBody ? plausible('body', route.jsonBody, ctx, rng) : {}) as Record<string, unknown>;
    let text = JSON.stringify(base);
    headers['content-type'] = 'application/json';
    if (kind === 'body-field') {
      const fields = Object.keys(route.jsonBody?.properties ?? {});
      const field = fields.length && rng.chance(0.8) ? rng.pick(fields) : rng.pick(['extra', '__proto__', 'constructor', '$where', 'a.b', '']);
      const value = rng.pick(HOSTILE_JSON_VALUES);
      const rest = JSON.stringify({ ...base, [field]: undefined });
      text = rest === '{}' ? `{${JSON.stringify(field)}:${value}}` : `${rest.slice(0, -1)},${JSON.stringify(field)}:${value}}`;
      what = `body ${field}=${truncate(value)}`;
    }
    if (kind === 'body-whole') {
      text = rng.pick(HOSTILE_JSON_BODIES);
      what = `body ${truncate(JSON.stringify(text))}`;
    }
    if (kind === 'content-type') {
      const type = rng.pick(CONTENT_TYPES);
      if (type) headers['content-type'] = type;
      else delete headers['content-type'];
      what = `content-type ${JSON.stringify(type)}`;
    }
    body = Buffer.from(text, 'utf8');
  }

  const path = route.path.replace(/\{([^}]+)\}/g, (_, p: string) => pathValues[p]);
  return { index, route: `${route.method} ${route.path}`, method: route.method, url: query.length ? `${path}?${query.join('&')}` : path, headers, body, caller, what };
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
