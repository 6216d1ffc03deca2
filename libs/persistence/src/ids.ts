import { randomUUID } from 'node:crypto';

/** Opaque, prefixed ids (`ch_…`, `msg_…`) so an id says what it names in logs and URLs. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}
