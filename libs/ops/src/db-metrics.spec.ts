import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import { instrumentDatabase } from './db-metrics';
import { metricsRegistry } from './metrics';

const fakeConnection = (client: EventEmitter): Connection => ({ getClient: () => client }) as unknown as Connection;

async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return match?.value ?? 0;
}

describe('instrumentDatabase', () => {
  it('counts and times the commands the driver reports, by name, without looking at their contents', async () => {
    const client = new EventEmitter();
    instrumentDatabase(fakeConnection(client));
    const before = await sample('db_commands_total', { command: 'insert', outcome: 'ok' });

    client.emit('commandSucceeded', { commandName: 'insert', duration: 4, reply: { secret: 'never read' } });
    client.emit('commandSucceeded', { commandName: 'insert', duration: 6 });
    client.emit('commandFailed', { commandName: 'update', duration: 2 });
    client.emit('commandSucceeded', { commandName: 'listIndexes', duration: 1 });

    expect(await sample('db_commands_total', { command: 'insert', outcome: 'ok' })).toBe(before + 2);
    expect(await sample('db_commands_total', { command: 'update', outcome: 'failed' })).toBe(1);
    expect(await sample('db_commands_total', { command: 'other', outcome: 'ok' })).toBe(1);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/db_command_seconds_sum\{[^}]*command="insert"[^}]*\} 0\.01\b/);
    expect(text).not.toContain('never read');
  });

  it('labels each command with its collection, from the started event, and reads nothing else of the command', async () => {
    const client = new EventEmitter();
    instrumentDatabase(fakeConnection(client));
    client.emit('commandStarted', { commandName: 'find', requestId: 71, command: { find: 'patient_keys', filter: { secret: 'never read' } } });
    client.emit('commandStarted', { commandName: 'getMore', requestId: 72, command: { getMore: 5, collection: 'messages' } });
    client.emit('commandSucceeded', { commandName: 'find', requestId: 71, duration: 3 });
    client.emit('commandFailed', { commandName: 'getMore', requestId: 72, duration: 1 });
    expect(await sample('db_commands_total', { command: 'find', collection: 'patient_keys', outcome: 'ok' })).toBe(1);
    expect(await sample('db_commands_total', { command: 'getMore', collection: 'messages', outcome: 'failed' })).toBe(1);
    expect(await metricsRegistry.metrics()).not.toContain('never read');
  });
});
