import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SwaggerModule } from '@nestjs/swagger';
import { SERVER_TO_CLIENT_SCHEMAS } from '@wellifiy/contracts';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi';
import { EventsDocsController } from './events-docs.controller';

describe('EventsDocsController', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const mod = await Test.createTestingModule({ controllers: [EventsDocsController] }).compile();
    app = mod.createNestApplication({ logger: false });
    // registered as in main.ts: the Swagger UI at /docs must not shadow the event docs
    SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApiDocument(app));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(() => app.close());

  it('serves the AsyncAPI document at /docs/events.json', async () => {
    const res = await fetch(`${base}/docs/events.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { asyncapi: string; channels: Record<string, unknown> };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.keys(doc.channels)).toContain('socket.server.ready');
  });

  it('serves a self-contained page at /docs/events listing every channel', async () => {
    const res = await fetch(`${base}/docs/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|https?:\/\/(?!localhost)/);
    for (const event of Object.keys(SERVER_TO_CLIENT_SCHEMAS)) expect(html).toContain(`<code>${event}</code>`);
    expect(html).toContain('message.created (on the wire)');
  });

  it('keeps the event docs out of the REST document', () => {
    expect(Object.keys(buildOpenApiDocument(app).paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });
});
