import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const constraints = Object.values(e.constraints ?? {});
    const own = constraints.length ? [`${e.property}: ${constraints.join('; ')}`] : [];
    return [...own, ...describe(e.children ?? [])];
  });
}

/**
 * Reads the environment once into a typed, validated object. Each app calls this at boot with its own
 * schema class; a missing or bad variable stops the process with a message naming it.
 * Schema properties are the environment variable names; defaults are property initialisers.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const source: Record<string, unknown> = {};
  const notBooleanWords: [string, string][] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === '') continue;
    // Implicit conversion would turn "false" (or "no") into true (Boolean("false")); booleans are read as words.
    const isBoolean = Reflect.getMetadata('design:type', schema.prototype, k) === Boolean;
    if (isBoolean && v !== 'true' && v !== 'false') notBooleanWords.push([k, v]);
    source[k] = isBoolean && (v === 'true' || v === 'false') ? v === 'true' : v;
  }
  const instance = plainToInstance(schema, source, { enableImplicitConversion: true, exposeDefaultValues: true });
  // ...and any other word stays the string it was, so the schema's boolean check names it.
  for (const [k, v] of notBooleanWords) (instance as Record<string, unknown>)[k] = v;
  // whitelist drops every variable the schema does not declare
  const errors = validateSync(instance, { whitelist: true });
  if (errors.length) throw new ConfigError(describe(errors));
  return instance;
}

/** Boot helper: prints the config problem and exits non-zero instead of a stack trace. */
export function loadConfigOrExit<T extends object>(schema: new () => T, appName: string): T {
  try {
    return loadConfig(schema);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`[${appName}] ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
