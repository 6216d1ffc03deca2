import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { backOffReconnects, isPermanentSetupError, waitForSetup } from './amqp-connection';
import { QueueArgumentsMismatchError } from './topology';

describe('backOffReconnects', () => {
  it('doubles the wait after each failed attempt up to the maximum (±20 %), and resets it on connect', () => {
    const connection = Object.assign(new EventEmitter(), { reconnectTimeInSeconds: 0.5 });
    backOffReconnects(connection, { baseSeconds: 0.5, maxSeconds: 10 });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      connection.emit('connectFailed', { err: new Error('ECONNREFUSED') });
      waits.push(connection.reconnectTimeInSeconds);
    }
    const expected = [1, 2, 4, 8, 10, 10, 10, 10];
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(expected[i] * 0.8);
      expect(w).toBeLessThanOrEqual(expected[i] * 1.2);
    });

    connection.emit('connect', {});
    expect(connection.reconnectTimeInSeconds).toBe(0.5);
    connection.emit('connectFailed', { err: new Error('ECONNREFUSED') });
    expect(connection.reconnectTimeInSeconds).toBeLessThanOrEqual(1.2);
  });
});

describe('waitForSetup', () => {
  /** The part of a ChannelWrapper waitForSetup uses: its 'error' and 'connect' events. */
  function fakeChannel(): EventEmitter & { name: string; waitForConnect(): Promise<void> } {
    const ch = Object.assign(new EventEmitter(), { name: 'wellifiy.x.events', waitForConnect: (): Promise<void> => new Promise<void>((r) => ch.once('connect', () => r())) });
    return ch;
  }
  const quiet = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;

  it('rejects at once on a permanent setup error (a queue declared with other arguments)', async () => {
    const ch = fakeChannel();
    const started = waitForSetup(ch as never, quiet);
    ch.emit('error', new QueueArgumentsMismatchError('wellifiy.x.events', "inequivalent arg 'x-queue-type'"));
    await expect(started).rejects.toThrow(/rabbitmqctl delete_queue wellifiy.x.events/);
  });

  it('waits out a passing one (the connection closed mid-setup, 541 while a cluster forms) and resolves on the next connection', async () => {
    const ch = fakeChannel();
    let settled = false;
    const started = waitForSetup(ch as never, quiet).finally(() => (settled = true));
    ch.emit('error', new Error('Channel ended, no reply will be forthcoming'));
    ch.emit('error', Object.assign(new Error('Connection closed: 541 (INTERNAL-ERROR)'), { code: 541 }));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    ch.emit('connect');
    await expect(started).resolves.toBeUndefined();
  });

  it.each([403, 404, 406])('code %i is permanent; other codes and plain errors are not', (code) => {
    expect(isPermanentSetupError(Object.assign(new Error('x'), { code }))).toBe(true);
    expect(isPermanentSetupError(Object.assign(new Error('x'), { code: 541 }))).toBe(false);
    expect(isPermanentSetupError(new Error('Channel ended, no reply will be forthcoming'))).toBe(false);
  });
});

describe('waitForSetup after the start', () => {
  it('a passing setup error after a reconnect (541 while a cluster recovers) is logged, not thrown: the process keeps running', async () => {
    const ch = Object.assign(new EventEmitter(), { name: 'wellifiy.x.events', waitForConnect: (): Promise<void> => Promise.resolve() });
    const logger = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;
    await waitForSetup(ch as never, logger);
    expect(() => ch.emit('error', Object.assign(new Error('Connection closed: 541 (INTERNAL-ERROR)'), { code: 541 }))).not.toThrow();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('setting it up again on the next connection'));
  });
});
