import { EventEmitter } from 'node:events';
import { backOffReconnects } from './amqp-connection';

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
