import net from 'node:net';
import { HealthIndicatorService } from '@nestjs/terminus';
import mongoose from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { mongoIndicator } from './ops.module';

/*
 * Readiness must turn red as soon as the database stops answering — not when the driver's next heartbeat notices (its
 * readyState stays "connected" for up to 10 s, which is all terminus's MongooseHealthIndicator reads). The real
 * MongoDB-compatible server behind a TCP proxy of this test's, which is then cut.
 */
describe('MongoDB readiness indicator (a ping on the process\'s own connection)', () => {
  const target = new URL(testInfra.mongoUrl.replace(/^mongodb:/, 'http:'));
  const sockets = new Set<net.Socket>();
  let proxy: net.Server;
  let port: number;
  let connection: mongoose.Connection;

  beforeAll(async () => {
    proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 27017), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    port = (proxy.address() as net.AddressInfo).port;
    connection = await mongoose.createConnection(`mongodb://127.0.0.1:${port}`, { dbName: uniqueName('it-ready'), serverSelectionTimeoutMS: 30_000 }).asPromise();
  });

  afterAll(async () => {
    await connection?.close(true).catch(() => undefined);
    proxy?.close();
  });

  it('is up while the server answers, and down within its timeout once it stops — while the driver still says connected', async () => {
    const check = mongoIndicator(new HealthIndicatorService(), connection, 1500);
    expect(await check()).toEqual({ mongodb: { status: 'up' } });

    // The server goes away: open connections reset, new ones refused.
    proxy.close();
    for (const s of sockets) s.destroy();
    // What terminus's MongooseHealthIndicator would read at this moment: still connected.
    const stateWhenCut = connection.readyState;
    const started = Date.now();
    const result = await check();
    expect(result).toEqual({ mongodb: { status: 'down', message: expect.any(String) } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stateWhenCut).toBe(mongoose.ConnectionStates.connected);
  });
});
