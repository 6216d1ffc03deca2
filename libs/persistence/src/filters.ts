/**
 * The most values one `$in` holds. The embedded database (FerretDB with `ferretdb-in-pushdown.patch`) hands an `$in`
 * of up to this many strings or ObjectIDs to its backend as ORed equalities, which its indexes serve; a longer list
 * it evaluates itself, after reading every document the rest of the filter allows (often a whole organisation's
 * rows). MongoDB serves either from its index.
 */
export const IN_LIST_MAX = 100;

/** A plain equality for one value, else $in (of at most IN_LIST_MAX values: see inChunks). */
export function oneOrIn<T>(values: readonly T[]): T | { $in: T[] } {
  const unique = [...new Set(values)];
  return unique.length === 1 ? unique[0] : { $in: unique };
}

/** The distinct values, in lists of at most IN_LIST_MAX: one query each, run together. */
export function inChunks<T>(values: readonly T[]): T[][] {
  const unique = [...new Set(values)];
  const chunks: T[][] = [];
  for (let i = 0; i < unique.length; i += IN_LIST_MAX) chunks.push(unique.slice(i, i + IN_LIST_MAX));
  return chunks;
}

/** One query per inChunks list of the values, run together, their results in one array. */
export async function findInChunks<V, T>(values: readonly V[], find: (chunk: V[]) => Promise<T[]>): Promise<T[]> {
  return (await Promise.all(inChunks(values).map(find))).flat();
}
