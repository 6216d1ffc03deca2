import { Socket } from 'node:net';
import { testInfra } from '@wellifiy/testing';
import { connectAmqp } from './amqp-connection';

describe('connectAmqp with a list of nodes (AMQP_URLS)', () => {
  it('connects to the node that answers when another in the list does not, whichever it tries first', async () => {
    // Port 1 refuses at once: a node that is down. The process starts at a random entry, so try several times.
    const dead = 'amqp://guest:guest@127.0.0.1:1';
    for (let i = 0; i < 4; i++) {
      const connection = connectAmqp([dead, testInfra.amqpUrl], `it-urls-${i}`, { baseSeconds: 0.1, maxSeconds: 0.2 });
      try {
        const started = Date.now();
        const url = await new Promise<string>((resolve, reject) => {
          connection.once('connect', ({ url: u }) => resolve(String(u)));
          setTimeout(() => reject(new Error('no connection within 5 s')), 5000);
        });
        expect(url).toBe(testInfra.amqpUrl);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await connection.close();
      }
    }
  });

  it('refuses an empty list', () => {
    expect(() => connectAmqp([], 'it-urls-none')).toThrow('at least one broker URL');
  });

  it("turns Nagle's algorithm off on the broker socket (amqplib leaves it on: replies waited for delayed ACKs)", async () => {
    const calls: { port: number | undefined; noDelay: boolean | undefined }[] = [];
    const original = Socket.prototype.setNoDelay;
    Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
      calls.push({ port: this.remotePort, noDelay });
      return original.call(this, noDelay);
    };
    const connection = connectAmqp(testInfra.amqpUrl, 'it-nodelay');
    try {
      await new Promise<void>((resolve, reject) => {
        connection.once('connect', () => resolve());
        setTimeout(() => reject(new Error('no connection within 5 s')), 5000);
      });
    } finally {
      Socket.prototype.setNoDelay = original;
      await connection.close();
    }
    const brokerPort = Number(new URL(testInfra.amqpUrl).port || 5672);
    const toBroker = calls.filter((c) => c.port === brokerPort);
    expect(toBroker.length).toBeGreaterThan(0);
    expect(toBroker.every((c) => c.noDelay === true)).toBe(true);
  });
});
