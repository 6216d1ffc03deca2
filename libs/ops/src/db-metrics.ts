import type { Connection } from 'mongoose';
import { counter, histogram } from './metrics';

/** Commands that change documents: the figure the benchmark reads to show that writes per message stay flat. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set(['insert', 'update', 'delete', 'findAndModify']);
const TRACKED_COMMANDS: ReadonlySet<string> = new Set([...WRITE_COMMANDS, 'find', 'aggregate', 'count', 'getMore', 'distinct']);

/**
 * Counts and times every database command the service sends (the driver's command monitoring), by command
 * name: `db_commands_total{command}`, `db_command_seconds{command}`. Only names and durations are recorded —
 * never filters or documents.
 */
export function instrumentDatabase(connection: Connection): void {
  const client = connection.getClient() as unknown as { options?: { monitorCommands?: boolean }; on(event: string, fn: (e: CommandEvent) => void): void };
  const total = counter('db_commands_total', 'Database commands sent, by command name', ['command', 'outcome']);
  const seconds = histogram('db_command_seconds', 'Database command round-trip time, by command name', ['command'], [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]);
  const record = (outcome: 'ok' | 'failed') => (e: CommandEvent) => {
    const command = TRACKED_COMMANDS.has(e.commandName) ? e.commandName : 'other';
    total.inc({ command, outcome });
    seconds.observe({ command }, e.duration / 1000);
  };
  client.on('commandSucceeded', record('ok'));
  client.on('commandFailed', record('failed'));
}

interface CommandEvent {
  commandName: string;
  /** Milliseconds. */
  duration: number;
}

export const isWriteCommand = (name: string): boolean => WRITE_COMMANDS.has(name);
