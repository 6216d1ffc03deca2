import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/*
 * Checks a response of the running gateway against its own OpenAPI document (GET /docs-json): the matched
 * operation must document the status, and a JSON body must match that status's schema. Component schemas
 * are closed (no undocumented fields), so a field a service adds without the document fails here.
 */

type Json = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

const ROOT_ID = 'openapi';

/** OpenAPI 3.0 schema dialect → JSON Schema: `nullable`, refs into the root document, closed objects. */
function toJsonSchema(node: unknown, closeObjects: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, closeObjects));
  if (!node || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k === 'example') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s, closeObjects)]));
    } else if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.replace(/^#\//, `${ROOT_ID}#/`);
    } else {
      out[k] = toJsonSchema(v, closeObjects);
    }
  }
  if (closeObjects && out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (src.nullable === true) {
    if (out.$ref || out.allOf) return { anyOf: [out, { type: 'null' }] };
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

function pathPattern(template: string): RegExp {
  const source = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${source}$`);
}

export class OpenApiConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { template: string; pattern: RegExp; params: number }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: ROOT_ID, components: { schemas: toJsonSchema(doc.components?.schemas ?? {}, true) } });
    this.routes = Object.keys(doc.paths)
      .map((template) => ({ template, pattern: pathPattern(template), params: (template.match(/\{/g) ?? []).length }))
      // Literal segments win over parameters (`/activation-rules/pending` before `/activation-rules/{type}`).
      .sort((a, b) => a.params - b.params);
  }

  /** A description of what does not match, or null when the response is as documented (or not a documented route). */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    const path = url.split('?')[0];
    const route = this.routes.find((r) => r.pattern.test(path));
    const op = route && this.doc.paths[route.template][method.toLowerCase()];
    if (!route || !op) return null; // not a REST operation of the document (health, metrics, an unknown path)
    const where = `${method.toUpperCase()} ${route.template} → ${status}`;
    const response = op.responses?.[String(status)];
    if (!response) return `${where}: status not documented (documented: ${Object.keys(op.responses ?? {}).join(', ')})`;
    if (!contentType?.includes('application/json')) return null; // media bytes and empty bodies carry no JSON schema
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return `${where}: JSON body but no JSON schema documented`;
    const key = `${method} ${route.template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, true) as Json);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return null;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    return `${where}: body does not match the documented schema: ${errors.join('; ')}`;
  }
}

export async function loadOpenApiConformance(baseUrl: string): Promise<OpenApiConformance> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (!res.ok) throw new Error(`OpenAPI document not served: GET /docs-json → ${res.status}`);
  return new OpenApiConformance((await res.json()) as OpenApiDocument);
}
