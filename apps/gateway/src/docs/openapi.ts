import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ResponsesObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Where the gateway serves the REST document: the page at /docs, the JSON at /docs-json. */
export const OPENAPI_PATH = 'docs';

/**
 * Operation ids are `<controller>_<method>` without the `Controller` suffix (e.g. `Channels_list`):
 * unique, because a controller's method names are, and stable for generated clients.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  return `${controllerKey.replace(/Controller$/, '')}_${methodKey}`;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Wellifiy Messaging API')
    .setDescription(
      'REST API of the Wellifiy Messaging gateway. Errors are `{ statusCode, error, message }` (+ `code`, `details`, `correlationId`). '
        + 'Realtime (Socket.IO) events and broker events are described by the AsyncAPI 3 document at /docs/events (JSON: /docs/events.json).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return withOpsResponses(SwaggerModule.createDocument(app, config, { operationIdFactory: operationIdOf }));
}

/** @nestjs/terminus's result: per indicator `{ status: 'up' | 'down', ... }` in info (up), error (down) and details (all). */
const indicatorsSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      message: { type: 'string', description: 'Why the dependency is down' },
      state: { type: 'string', enum: ['up', 'unknown'], description: '/health/services: unknown until the broker was asked' },
    },
    required: ['status'],
  },
};
const healthResult = (status: string) => ({
  type: 'object',
  properties: { status: { type: 'string', enum: [status] }, info: indicatorsSchema, error: indicatorsSchema, details: indicatorsSchema },
  required: ['status', 'details'],
});

/**
 * The ops endpoints come from @wellifiy/ops, which every service shares and which stays free of OpenAPI
 * decorators; their responses are described here, where the gateway's document is made.
 */
function withOpsResponses(doc: OpenAPIObject): OpenAPIObject {
  const json = (schema: Record<string, unknown>) => ({ 'application/json': { schema } });
  const responses: Record<string, ResponsesObject> = {
    '/health/live': {
      200: { description: 'The process runs', content: json({ type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] }) },
    },
    '/health/ready': {
      200: { description: "The gateway's own dependencies (RabbitMQ, Redis) answer", content: json(healthResult('ok')) },
      503: { description: 'A dependency of the gateway does not answer (Retry-After)', content: json(healthResult('error')) },
    },
    '/health/services': {
      200: { description: 'Every downstream service has a running instance', content: json(healthResult('ok')) },
      503: { description: "A downstream service has no running instance: its routes answer 503 SERVICE_UNAVAILABLE until it is back", content: json(healthResult('error')) },
    },
    '/metrics': {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
    },
  };
  for (const [path, byStatus] of Object.entries(responses)) {
    const op = doc.paths[path]?.get;
    if (op) op.responses = byStatus;
  }
  return doc;
}
