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

const checksSchema = { type: 'object', additionalProperties: { type: 'string' }, description: "Per dependency: 'ok' or why it failed" };

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
      200: {
        description: 'Every dependency answers',
        content: json({ type: 'object', properties: { status: { type: 'string', enum: ['ok'] }, checks: checksSchema }, required: ['status', 'checks'] }),
      },
      503: {
        description: 'A dependency does not answer',
        content: json({
          type: 'object',
          properties: { statusCode: { type: 'number' }, error: { type: 'string' }, message: { type: 'string' }, checks: checksSchema },
          required: ['statusCode', 'error', 'message', 'checks'],
        }),
      },
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
