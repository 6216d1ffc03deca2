import { FuzzContext, generateRequest } from './cases';
import { OpenApiDocument, routesOf } from './openapi';
import { summarize } from './summary';

const doc: OpenApiDocument = {
  paths: {
    '/v1/channels': {
      get: { parameters: [{ name: 'archived', in: 'query', schema: { type: 'boolean' } }] },
      post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateChannelDto' } } } } },
    },
    '/v1/channels/{id}/messages/{messageId}/reactions/{emoji}': { put: {}, delete: {} },
    '/v1/media': { post: { requestBody: { content: { 'multipart/form-data': { schema: { type: 'object' } } } } } },
  },
  components: {
    schemas: { CreateChannelDto: { type: 'object', properties: { type: { type: 'string', enum: ['group'] }, memberIds: { type: 'array', items: { type: 'string' } } } } },
  },
};

const ctx: FuzzContext = {
  callers: { manager: 'Bearer m', team: 'Bearer t', patient: 'Bearer p', none: undefined },
  channelId: 'ch_1', messageId: 'msg_1', patientId: 'pt_1', userId: 'tm_1', mediaId: 'med_1', image: Buffer.from('png'),
};

describe('fuzz request generation', () => {
  const routes = routesOf(doc);

  it('reads every operation of the document, with path parameters, queries and resolved JSON bodies', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/channels', 'POST /v1/channels', 'PUT /v1/channels/{id}/messages/{messageId}/reactions/{emoji}',
      'DELETE /v1/channels/{id}/messages/{messageId}/reactions/{emoji}', 'POST /v1/media',
    ]);
    expect(routes[1].jsonBody?.properties?.memberIds).toEqual({ type: 'array', items: { type: 'string' } });
    expect(routes[2].pathParams).toEqual(['id', 'messageId', 'emoji']);
    expect(routes[4].multipart).toBe(true);
  });

  it('is deterministic: the same seed and index give the same request, so a failure can be replayed alone', () => {
    for (let i = 0; i < 200; i++) expect(generateRequest(routes, ctx, 42, i)).toEqual(generateRequest(routes, ctx, 42, i));
    const a = Array.from({ length: 50 }, (_, i) => generateRequest(routes, ctx, 1, i).url);
    const b = Array.from({ length: 50 }, (_, i) => generateRequest(routes, ctx, 2, i).url);
    expect(a).not.toEqual(b);
  });

  it('visits every route in turn and varies the hostile part', () => {
    const requests = Array.from({ length: 1_000 }, (_, i) => generateRequest(routes, ctx, 7, i));
    expect(new Set(requests.map((r) => r.route)).size).toBe(routes.length);
    const kinds = new Set(requests.map((r) => r.what.split(' ')[0]));
    expect([...kinds]).toEqual(expect.arrayContaining(['path', 'query', 'body', 'content-type', 'plausible']));
    expect(requests.some((r) => r.url.includes('%00'))).toBe(true);
    expect(requests.some((r) => r.body?.toString().includes('\\ud800'))).toBe(true);
    expect(requests.some((r) => r.caller === 'none' && r.headers.authorization === undefined)).toBe(true);
    expect(requests.filter((r) => r.route === 'POST /v1/media').every((r) => r.body && r.headers['content-type'])).toBe(true);
  });

  it('summarises statuses per route, counting answers ≥ 500 and dropped connections', () => {
    const s = summarize(
      [
        { index: 0, route: 'GET /a', status: 400, ms: 1 },
        { index: 1, route: 'GET /a', status: 500, ms: 1 },
        { index: 2, route: 'GET /a', dropped: 'ECONNRESET', ms: 1 },
      ],
      ['GET /a', 'GET /b'],
    );
    expect(s.totals).toEqual({ requests: 3, server: 1, dropped: 1, statuses: { 400: 1, 500: 1, dropped: 1 } });
    expect(s.uncovered).toEqual(['GET /b']);
  });
});
