import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { backOffReconnects, isPermanentSetupError, startConsuming, waitForSetup } from './amqp-connection';
import { QueueArgumentsMismatchError } from './topology';
import { EventConsumer } from './event-consumer';

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

describe('startConsuming', () => {
  const quiet = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;
  const channelWhoseConsume = (outcome: () => Promise<unknown>) => ({ consume: jest.fn(outcome) });

  it('waits out a passing failure of the first consume (the connection lost between setup and consume): the start goes on', async () => {
    const ch = channelWhoseConsume(() => Promise.reject(new Error('Channel ended, no reply will be forthcoming')));
    await expect(startConsuming(ch as never, 'wellifiy.x.events', () => undefined, { noAck: false }, quiet)).resolves.toBeUndefined();
    expect(ch.consume).toHaveBeenCalledWith('wellifiy.x.events', expect.any(Function), { noAck: false });
    const node541 = channelWhoseConsume(() => Promise.reject(Object.assign(new Error('541 (INTERNAL-ERROR)'), { code: 541 })));
    await expect(startConsuming(node541 as never, 'q', () => undefined, {}, quiet)).resolves.toBeUndefined();
  });

  it('fails the start on a permanent one (this user may not read the queue), saying why', async () => {
    const ch = channelWhoseConsume(() => Promise.reject(Object.assign(new Error('ACCESS_REFUSED - read access to queue'), { code: 403 })));
    await expect(startConsuming(ch as never, 'q', () => undefined, {}, quiet)).rejects.toThrow(/ACCESS_REFUSED/);
  });
});

describe('EventConsumer.start', () => {
  it('starts although its first consume fails because the connection went between the setup and the consume', async () => {
    // The parts of a ChannelWrapper the consumer uses at start: set up at once, then the consume request is lost.
    const wrapper = Object.assign(new EventEmitter(), {
      name: 'wellifiy.x.events',
      waitForConnect: () => Promise.resolve(),
      consume: jest.fn(() => Promise.reject(new Error('Channel ended, no reply will be forthcoming'))),
    });
    const consumer = new EventConsumer({
      connection: { createChannel: () => wrapper } as never,
      queue: 'wellifiy.x.events',
      routingKeys: ['x.happened'],
      kind: 'durable',
      prefetch: 1,
      maxAttempts: 3,
      canHandle: () => true,
      handle: () => Promise.resolve(),
    });
    await expect(consumer.start()).resolves.toBeUndefined();
    expect(wrapper.consume).toHaveBeenCalledTimes(1);
  });
});
