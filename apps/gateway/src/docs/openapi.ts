import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

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
        + 'Realtime (Socket.IO) events and broker events are described in docs/realtime.md.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: operationIdOf });
}
