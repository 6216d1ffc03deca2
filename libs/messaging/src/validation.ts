import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';

export interface FieldError {
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.problems.join(', ')}`).join('; ');
}

/**
 * How deep untrusted JSON may nest. Every payload of the product is a few levels deep; class-transformer and
 * class-validator recurse per level, so thousands of levels would overflow the stack (a 500, not a 400).
 */
export const MAX_INPUT_DEPTH = 32;

// A high surrogate not followed by a low one, or a low one not preceded by a high one (linear: no backtracking).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why a string cannot be stored, or null. PostgreSQL (under FerretDB) refuses NUL in text (SQLSTATE 22P05) and
 * a lone surrogate is not valid UTF-16, so it cannot be encoded to UTF-8/BSON faithfully: both are refused at the
 * edge, where the field can still be named.
 */
export function unsafeStringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone surrogate (invalid UTF-16)';
  return null;
}

/**
 * The first problem with untrusted input before it is transformed: nesting deeper than `maxDepth`, or a key or
 * string holding a NUL or a lone surrogate, or a prototype key (`__proto__`, `constructor`, `prototype`). Walks with its own stack, so hostile nesting cannot overflow it.
 * `field` names where (`data.firstName`, `body.memberIds[2]`), prefixed with `root` when given.
 */
export function findUnsafeInput(input: unknown, opts: { root?: string; maxDepth?: number } = {}): FieldError | null {
  const maxDepth = opts.maxDepth ?? MAX_INPUT_DEPTH;
  const rootName = opts.root ?? '(root)';
  const stack: { value: unknown; field: string; depth: number }[] = [{ value: input, field: opts.root ?? '', depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, field, depth } = next;
    if (typeof value === 'string') {
      const problem = unsafeStringProblem(value);
      if (problem) return { field: field || rootName, problems: [problem] };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return { field: rootName, problems: [`must not be nested more than ${maxDepth} levels deep`] };
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, field: `${field}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = unsafeStringProblem(key);
      const at = field ? `${field}.${key}` : key;
      if (keyProblem) return { field: field || rootName, problems: [`a key ${keyProblem}`] };
      // No payload of the product has these keys; code that copies objects key by key could reach a prototype with them.
      if (PROTOTYPE_KEYS.has(key)) return { field: field || rootName, problems: [`must not have a "${key}" key`] };
      stack.push({ value: item, field: at, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Turns untrusted input into an instance of `cls`, or returns the field errors. Unknown fields are dropped.
 * Hostile nesting, NUL characters and lone surrogates are refused before transformation.
 */
export async function validateInto<T extends object>(
  cls: new () => T,
  input: unknown,
  opts: { forbidUnknown?: boolean } = {},
): Promise<{ value: T; errors: null } | { value: null; errors: FieldError[] }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { value: null, errors: [{ field: '(root)', problems: ['must be a JSON object'] }] };
  }
  const unsafe = findUnsafeInput(input);
  if (unsafe) return { value: null, errors: [unsafe] };
  const value = plainToInstance(cls, input);
  const errors = await validate(value, {
    whitelist: true,
    forbidNonWhitelisted: opts.forbidUnknown ?? false,
    forbidUnknownValues: false,
  });
  return errors.length ? { value: null, errors: flattenValidationErrors(errors) } : { value, errors: null };
}
