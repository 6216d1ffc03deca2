import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { OpenAPIObject } from '@nestjs/swagger';
import { TokenVerifier } from '@wellifiy/auth';
import { DEMO_MANAGER, DEMO_ORGANISATION, DEMO_USERS } from '@wellifiy/demo';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { GatewayConfig } from '../config/gateway.config';
import { buildOpenApiDocument } from '../docs/openapi';
import { HttpErrorFilter } from '../http/http-error.filter';
import { createValidationPipe } from '../http/validation.pipe';
import { DevModule, devSignInEnabled } from './dev.module';

const SECRET = 'dev-module-spec-secret-0123456789abcdef';

function configOf(overrides: Partial<GatewayConfig>): GatewayConfig {
  return Object.assign(new GatewayConfig(), { JWT_ALGORITHM: 'HS256', JWT_SECRET: SECRET, DEV_SIGN_IN: true, ...overrides });
}

interface Running {
  url: string;
  doc: OpenAPIObject;
  close(): Promise<void>;
}

/**
 * The dev module as AppModule mounts it, behind the gateway's authentication guard (no strategy registered: a route
 * that were not public would fail), pipe and error filter, on a real HTTP port.
 */
async function start(config: GatewayConfig): Promise<Running> {
  @Module({ providers: [{ provide: GatewayConfig, useValue: config }], exports: [GatewayConfig] })
  class ConfigModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [{ module: ConfigModule, global: true }, DevModule.register(config)],
    providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  await app.listen(0, '127.0.0.1');
  const doc = buildOpenApiDocument(app);
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), doc, close: () => app.close() };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('Development sign-in is served only when DEV_SIGN_IN=true and NODE_ENV=development', () => {
  it('NODE_ENV=development without DEV_SIGN_IN=true: no routes', async () => {
    const config = configOf({ NODE_ENV: 'development', DEV_SIGN_IN: false });
    expect(devSignInEnabled(config)).toBe(false);
    const app = await start(config);
    try {
      expect((await fetch(`${app.url}/v1/dev/users`)).status).toBe(404);
      expect((await post(`${app.url}/v1/dev/sign-in`, { userId: DEMO_MANAGER.userId })).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it.each(['test', 'production'] as const)('NODE_ENV=%s: GET /v1/dev/users and POST /v1/dev/sign-in answer 404 and are not in the OpenAPI document', async (env) => {
    const app = await start(configOf({ NODE_ENV: env }));
    try {
      expect((await fetch(`${app.url}/v1/dev/users`)).status).toBe(404);
      expect((await post(`${app.url}/v1/dev/sign-in`, { userId: DEMO_MANAGER.userId })).status).toBe(404);
      expect(Object.keys(app.doc.paths).filter((p) => p.startsWith('/v1/dev'))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('NODE_ENV=development with RS256 tokens (no secret to sign with): no routes', async () => {
    const config = configOf({ NODE_ENV: 'development', JWT_ALGORITHM: 'RS256', JWT_SECRET: undefined });
    expect(devSignInEnabled(config)).toBe(false);
    const app = await start(config);
    try {
      expect((await fetch(`${app.url}/v1/dev/users`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  describe('NODE_ENV=development', () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(configOf({ NODE_ENV: 'development', DEV_MAIL_INBOX_URL: 'http://localhost:1080' }));
    });
    afterAll(() => app.close());

    it('GET /v1/dev/users lists the demo organisation, its users from the one definition, and the mail inbox, without a token', async () => {
      const res = await fetch(`${app.url}/v1/dev/users`);
      const body = (await res.json()) as any;

      expect(res.status).toBe(200);
      expect(body.organisation).toEqual({ id: 'org_demo', name: DEMO_ORGANISATION.name });
      expect(body.users.map((u: { userId: string }) => u.userId)).toEqual(DEMO_USERS.map((u) => u.userId));
      expect(body.users[0]).toEqual({
        userId: 'tm_demo_manager',
        kind: 'team_member',
        displayName: 'Maya Okafor',
        realName: 'Maya Okafor',
        permissions: ['messaging:manage', 'settings:manage', 'audit:read'],
      });
      expect(body.users.filter((u: { kind: string }) => u.kind === 'patient')).toHaveLength(2);
      expect(body.mailInboxUrl).toBe('http://localhost:1080');
    });

    it('POST /v1/dev/sign-in mints a token with the claims of the token command, verified with the gateway secret', async () => {
      const { status, body } = await post(`${app.url}/v1/dev/sign-in`, { userId: 'pt_demo_alex' });

      expect(status).toBe(200);
      expect(body.user).toEqual(expect.objectContaining({ userId: 'pt_demo_alex', kind: 'patient', realName: 'Alex Moreno', permissions: [] }));
      const actor = await new TokenVerifier({ algorithm: 'HS256', secret: SECRET }).verify(body.token);
      expect(actor).toEqual({ userId: 'pt_demo_alex', orgId: 'org_demo', kind: 'patient', perms: [] });
    });

    it('an unknown userId is 404 naming it and where the demo users are listed', async () => {
      const { status, body } = await post(`${app.url}/v1/dev/sign-in`, { userId: 'tm_nobody' });

      expect(status).toBe(404);
      expect(body.message).toBe('no demo user "tm_nobody" in org_demo; GET /v1/dev/users lists them');
      expect(body.code).toBe('NOT_FOUND');
    });

    it('a body without userId, or with unknown fields, is 400 naming the field', async () => {
      const missing = await post(`${app.url}/v1/dev/sign-in`, {});
      const extra = await post(`${app.url}/v1/dev/sign-in`, { userId: 'pt_demo_alex', orgId: 'org_other' });

      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('userId');
      expect(extra.status).toBe(400);
      expect(extra.body.message).toContain('orgId');
    });

    it('documents both operations in OpenAPI with ids, request and response schemas, and the sign-in errors', () => {
      const users = app.doc.paths['/v1/dev/users']?.get;
      const signIn = app.doc.paths['/v1/dev/sign-in']?.post;

      expect(users?.operationId).toBe('Dev_users');
      expect((users?.responses['200'] as any).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DevUsersView' });
      expect(signIn?.operationId).toBe('Dev_signInAs');
      expect((signIn?.requestBody as any).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DevSignInDto' });
      expect(Object.keys(signIn?.responses ?? {}).sort()).toEqual(['200', '400', '404']);
    });
  });
});
