import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { RpcClient } from '@wellifiy/messaging';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HealthController, MetricsController, READINESS_INDICATORS } from '@wellifiy/ops';
import { ActivationRulesController } from '../admin/activation-rules.controller';
import { AuditController } from '../admin/audit.controller';
import { MessageVersionsController } from '../admin/message-versions.controller';
import { PatientExportController } from '../admin/patient-export.controller';
import { RetentionController } from '../admin/retention.controller';
import { ChannelsAdminController } from '../channels/channels-admin.controller';
import { GatewayConfig } from '../config/gateway.config';
import { ServiceAvailability } from '../health/service-availability';
import { ServicesHealthController } from '../health/services-health.controller';
import { ChannelsController } from '../channels/channels.controller';
import { MeController } from '../me/me.controller';
import { MediaStoreClient } from '../media/media-store.client';
import { MediaController } from '../media/media.controller';
import { MessageActionsController } from '../messages/message-actions.controller';
import { MessagesController } from '../messages/messages.controller';
import { NotificationsController } from '../notifications/notifications.controller';
import { buildOpenApiDocument } from './openapi';

type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** The REST controllers of the gateway, with their collaborators faked: the document needs only their metadata. */
async function documentOfGateway(): Promise<OpenAPIObject> {
  const moduleRef = await Test.createTestingModule({
    controllers: [
      ActivationRulesController, AuditController, RetentionController, ChannelsAdminController, ChannelsController, MeController, MediaController,
      MessageActionsController, MessagesController, MessageVersionsController, NotificationsController, HealthController, ServicesHealthController, MetricsController, PatientExportController,
    ],
    providers: [
      { provide: RpcClient, useValue: {} },
      { provide: MediaStoreClient, useValue: {} },
      { provide: HealthCheckService, useValue: {} },
      { provide: HealthIndicatorService, useValue: {} },
      { provide: READINESS_INDICATORS, useValue: [] },
      { provide: ServiceAvailability, useValue: {} },
      { provide: GatewayConfig, useValue: { MEDIA_UPLOAD_MAX_BYTES: 1024 * 1024 } },
    ],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

function operations(doc: OpenAPIObject): { key: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => ({
      key: `${m.toUpperCase()} ${path}`,
      path,
      op: (item as Record<string, Operation>)[m],
    })),
  );
}

describe('OpenAPI document of the gateway (complete API documents)', () => {
  let doc: OpenAPIObject;
  let ops: ReturnType<typeof operations>;

  beforeAll(async () => {
    doc = await documentOfGateway();
    ops = operations(doc);
  });

  it('lists the REST routes', () => {
    expect(ops.length).toBeGreaterThanOrEqual(35);
  });

  it('gives every operation a unique operationId', () => {
    const missing = ops.filter((o) => !o.op.operationId).map((o) => o.key);
    expect(missing).toEqual([]);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/channels']?.get?.operationId).toBe('Channels_list');
  });

  it('declares every path parameter of every operation, required, with a schema', () => {
    const missing = ops.flatMap(({ key, path, op }) =>
      [...path.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((name) => !op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required && p.schema))
        .map((name) => `${key}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('gives every operation a 2xx response with a schema (204 carries none)', () => {
    const missing = ops.filter(({ op }) => {
      const ok = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (ok.length === 0) return true;
      return ok.some(([status, r]) => status !== '204' && !Object.values(r.content ?? {}).every((c) => c.schema));
    }).map((o) => o.key);
    expect(missing).toEqual([]);
    const withoutContent = ops.filter(({ op }) => Object.entries(op.responses).some(([s, r]) => /^2\d\d$/.test(s) && s !== '204' && !r.content)).map((o) => o.key);
    expect(withoutContent).toEqual([]);
  });

  it('documents the error responses of every operation with the { statusCode, error, message } body', () => {
    const errorRef = '#/components/schemas/ErrorView';
    // The ops endpoints are public (no token, no rate limit); their own responses are checked above.
    const wrong = ops.filter((o) => o.path.startsWith('/v1/')).flatMap(({ key, path, op }) => {
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status));
      const problems: string[] = [];
      for (const needed of ['401', '403', '429', '503']) if (!op.responses[needed]) problems.push(`${key}: no ${needed}`);
      const takesInput = op.parameters?.some((p) => p.in === 'query') || (op as { requestBody?: unknown }).requestBody;
      if (takesInput && !op.responses['400']) problems.push(`${key}: takes input but no 400`);
      if (path.includes('{') && !op.responses['400'] && !op.responses['404']) problems.push(`${key}: a path parameter but neither 400 nor 404`);
      for (const [status, r] of errors) {
        if ((r.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref !== errorRef) problems.push(`${key}: ${status} without the error body`);
      }
      return problems;
    });
    expect(wrong).toEqual([]);
    const schema = doc.components?.schemas?.ErrorView as { required?: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message']));
  });

  it('documents rule refusals where the rules apply (409 on leave, remove member, activate, push endpoint taken; 413 on upload; 403 everywhere), each with the error body', () => {
    const refusals: [string, 'get' | 'put' | 'post' | 'patch' | 'delete', string][] = [
      ['/v1/channels/{id}/leave', 'post', '409'],
      ['/v1/channels/{id}/members/{userId}', 'delete', '409'],
      ['/v1/patients/{patientId}/channels/{type}/activate', 'post', '409'],
      ['/v1/me/push-subscriptions', 'post', '409'],
      ['/v1/media', 'post', '413'],
      ['/v1/admin/activation-rules/{type}', 'put', '403'],
    ];
    const bodyOf = (path: string, method: string, status: string): string | undefined => {
      const op = (doc.paths[path] as Record<string, Operation | undefined> | undefined)?.[method];
      return (op?.responses[status]?.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref;
    };
    expect(refusals.map(([path, method, status]) => `${method} ${path} ${status} → ${bodyOf(path, method, status)}`)).toEqual(
      refusals.map(([path, method, status]) => `${method} ${path} ${status} → #/components/schemas/ErrorView`),
    );
    expect(Object.keys((doc.paths['/health/ready']?.get?.responses['503'] as Operation['responses'][string] | undefined)?.content ?? {})).toEqual(['application/json']);
  });

  it('describes response bodies as schemas of the contract views (channels with unreadCount, message pages)', () => {
    const schemas = doc.components?.schemas ?? {};
    const list = doc.paths['/v1/channels']?.get?.responses['200'] as { content: Record<string, { schema: { type?: string; items?: { $ref?: string } } }> };
    expect(list.content['application/json'].schema.items?.$ref).toBe('#/components/schemas/ChannelListItemView');
    expect((schemas.ChannelListItemView as { required?: string[] }).required).toEqual(expect.arrayContaining(['id', 'type', 'members', 'unreadCount']));
    expect((schemas.MessagePageView as { required?: string[] }).required).toEqual(expect.arrayContaining(['messages', 'hasMore']));
  });
});
