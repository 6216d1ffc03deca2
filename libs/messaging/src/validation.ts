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

/** Turns untrusted input into an instance of `cls`, or returns the field errors. Unknown fields are dropped. */
export async function validateInto<T extends object>(
  cls: new () => T,
  input: unknown,
  opts: { forbidUnknown?: boolean } = {},
): Promise<{ value: T; errors: null } | { value: null; errors: FieldError[] }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { value: null, errors: [{ field: '(root)', problems: ['must be a JSON object'] }] };
  }
  const value = plainToInstance(cls, input);
  const errors = await validate(value, {
    whitelist: true,
    forbidNonWhitelisted: opts.forbidUnknown ?? false,
    forbidUnknownValues: false,
  });
  return errors.length ? { value: null, errors: flattenValidationErrors(errors) } : { value, errors: null };
}
