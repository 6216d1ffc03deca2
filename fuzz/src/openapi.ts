/** The parts of the gateway's OpenAPI 3 document the fuzzer uses. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
}

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: OpenApiSchema;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** One route of the API, as the fuzzer sees it. */
export interface Route {
  method: string;
  /** OpenAPI template, e.g. /v1/channels/{id}/members. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: OpenApiSchema }[];
  /** The JSON body's schema (resolved), when the route takes JSON. */
  jsonBody?: OpenApiSchema;
  multipart: boolean;
}

const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);

/** Every route of the document, in document order (the order is part of what a seed replays). */
export function routesOf(doc: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.has(method)) continue;
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(doc, p.schema ?? {}) }));
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams,
        query,
        jsonBody: json ? resolve(doc, json) : undefined,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return routes;
}

/** Follows `$ref`s (to a bounded depth: schemas may refer to themselves). */
export function resolve(doc: OpenApiDocument, schema: OpenApiSchema, depth = 0): OpenApiSchema {
  if (depth > 8) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc, doc.components?.schemas?.[name] ?? {}, depth + 1);
  }
  const out: OpenApiSchema = { ...schema };
  if (schema.allOf?.length) Object.assign(out, ...schema.allOf.map((s) => resolve(doc, s, depth + 1)));
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
  if (schema.items) out.items = resolve(doc, schema.items, depth + 1);
  return out;
}
