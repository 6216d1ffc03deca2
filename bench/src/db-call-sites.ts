import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Collection } from 'mongodb';

/**
 * Preloaded into each service by `bench --call-sites` (node --require): counts every collection method the service
 * calls, by collection, method and the first frames of its own code that led there — where each database command
 * of the send path comes from. Each SIGWINCH (Nest's shutdown hooks take SIGUSR2) writes the counts since the previous
 * one to `$DB_CALL_SITES_DIR/<app>.json` and starts afresh. Only names and source positions are kept, never
 * filters or documents.
 */
const METHODS = [
  'find', 'findOne', 'insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'bulkWrite',
  'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne', 'deleteMany', 'aggregate',
  'countDocuments', 'estimatedDocumentCount', 'distinct',
] as const;
const APP_FRAMES = 2;

const dir = process.env.DB_CALL_SITES_DIR;
const app = /apps\/([^/]+)\/src\/main\.js$/.exec(process.argv[1] ?? '')?.[1] ?? 'unknown';
let counts = new Map<string, number>();
/** Set while a traced method runs synchronously: the driver's own calls (findOne → find) are not counted twice. */
let inside = false;

/** `db.collection` and the service's own frames (outside node_modules), innermost first. */
function site(collection: string, method: string): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  Error.captureStackTrace(holder, site);
  Error.stackTraceLimit = limit;
  const frames = (holder.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().replace(/^at (async )?/, ''))
    .filter((l) => /\/(apps|libs)\//.test(l) && !l.includes('node_modules') && !l.includes('db-call-sites'))
    .slice(0, APP_FRAMES)
    .map((l) => l.replace(/\(.*\/((?:apps|libs)\/[^)]*)\)/, '($1)').replace(/:\d+\)$/, ')'));
  return `${collection}.${method} ← ${frames.join(' ← ') || '(no frame of the service)'}`;
}

if (dir) {
  const proto = Collection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const method of METHODS) {
    const original = proto[method];
    if (typeof original !== 'function') continue;
    proto[method] = function traced(this: Collection, ...a: unknown[]): unknown {
      if (inside) return original.apply(this, a);
      const key = site(this.collectionName, method);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      inside = true;
      try {
        return original.apply(this, a);
      } finally {
        inside = false;
      }
    };
  }
  // Each signal writes the counts since the previous one and starts afresh.
  process.on('SIGWINCH', () => {
    const sorted = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
    counts = new Map();
    writeFileSync(path.join(dir, `${app}.json`), JSON.stringify(sorted, null, 1));
  });
}
