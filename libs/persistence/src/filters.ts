/**
 * A plain equality for one value, else $in. FerretDB pushes equalities down to its backend but evaluates $in
 * itself, after reading every document the rest of the filter allows (often a whole organisation's rows).
 */
export function oneOrIn<T>(values: readonly T[]): T | { $in: T[] } {
  const unique = [...new Set(values)];
  return unique.length === 1 ? unique[0] : { $in: unique };
}
