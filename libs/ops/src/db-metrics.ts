import type { Connection } from 'mongoose';
import { counter, histogram } from './metrics';

/** Commands that change documents: the figure the benchmark reads to show that writes per message stay flat. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set(['insert', 'update', 'delete', 'findAndModify']);
const TRACKED_COMMANDS: ReadonlySet<string> = new Set([...WRITE_COMMANDS, 'find', 'aggregate', 'count', 'getMore', 'distinct']);

/**
 * Counts and times every database command the service sends (the driver's command monitoring), by command
 * name and collection: `db_commands_total{command,collection}`, `db_command_seconds{command,collection}`. Only
 * names and durations are recorded — never filters or documents.
 */
export function instrumentDatabase(connection: Connection): void {
  const client = connection.getClient() as unknown as { on(event: string, fn: (e: CommandEvent) => void): void };
  const total = counter('db_commands_total', 'Database commands sent, by command name and collection', ['command', 'collection', 'outcome']);
  const seconds = histogram('db_command_seconds', 'Database command round-trip time, by command name and collection', ['command', 'collection'], [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]);
  // The collection is named only in the started event: kept per request until it ends.
  const collections = new Map<number, string>();
  client.on('commandStarted', (e) => {
    if (TRACKED_COMMANDS.has(e.commandName) && e.requestId !== undefined) collections.set(e.requestId, collectionOf(e));
  });
  const record = (outcome: 'ok' | 'failed') => (e: CommandEvent) => {
    const tracked = TRACKED_COMMANDS.has(e.commandName);
    const command = tracked ? e.commandName : 'other';
    const collection = (e.requestId !== undefined ? collections.get(e.requestId) : undefined) ?? '';
    if (e.requestId !== undefined) collections.delete(e.requestId);
    total.inc({ command, collection, outcome });
    seconds.observe({ command, collection }, e.duration / 1000);
  };
  client.on('commandSucceeded', record('ok'));
  client.on('commandFailed', record('failed'));
}

interface CommandEvent {
  commandName: string;
  requestId?: number;
  /** Only in commandStarted: the command document, of which only the collection name is read. */
  command?: Record<string, unknown>;
  /** Milliseconds. */
  duration: number;
}

/** `{ find: 'messages', … }`, `{ getMore: <cursor>, collection: 'messages' }`. */
function collectionOf(e: CommandEvent): string {
  const named = e.command?.[e.commandName];
  if (typeof named === 'string') return named;
  const other = e.command?.collection;
  return typeof other === 'string' ? other : '';
}

export const isWriteCommand = (name: string): boolean => WRITE_COMMANDS.has(name);
