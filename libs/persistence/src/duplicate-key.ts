/** MongoDB (and FerretDB) report a unique index violation as code 11000. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
