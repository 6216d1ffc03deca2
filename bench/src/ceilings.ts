import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { bullConnection } from '@wellifiy/persistence';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { Histogram } from './histogram';
import { quick, scale } from './options';
import { fmt, report } from './report';
import { Ctx, until } from './system';

export async function rawCeilings(ctx: Ctx): Promise<{ part: string; perSecond: number }[]> {
  const ceilings: { part: string; perSecond: number }[] = [];
  const seconds = scale.rawSeconds;
  const rows: [string, string, string][] = [];
  // RabbitMQ: persistent publishes with confirms, 64 in flight.
  {
    const conn = await amqp.connect(ctx.amqpUrl);
    const ch = await conn.createConfirmChannel();
    const ex = `bench.raw.${randomUUID()}`;
    await ch.assertExchange(ex, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, ex, '');
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 64; i++) ch.publish(ex, '', Buffer.from('{"x":1}'), { persistent: true });
      await ch.waitForConfirms();
      n += 64;
    }
    await conn.close();
    rows.push(['RabbitMQ publish with confirms', `${Math.round(n / seconds)} msg/s`, '—']);
    ceilings.push({ part: 'RabbitMQ publishes', perSecond: n / seconds });
  }
  // Database server: single-document inserts, 16 in flight.
  {
    const client = await new mongoose.mongo.MongoClient(testInfra.mongoUrl).connect();
    const db = client.db(uniqueName('bench-raw'));
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await Promise.all(Array.from({ length: 16 }, (_, i) => db.collection('t').insertOne({ i, body: 'x'.repeat(200), at: new Date() })));
      n += 16;
    }
    await db.dropDatabase();
    await client.close();
    rows.push(['database insert (MongoDB wire)', `${Math.round(n / seconds)} docs/s`, '—']);
    ceilings.push({ part: 'database inserts', perSecond: n / seconds });
  }
  // Redis: INCR, pipelined by 100.
  {
    const redis = new Redis(testInfra.redisUrl);
    const key = `bench:${randomUUID()}`;
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const p = redis.pipeline();
      for (let i = 0; i < 100; i++) p.incr(key);
      await p.exec();
      n += 100;
    }
    await redis.del(key);
    redis.disconnect();
    rows.push(['Redis INCR (pipelined)', `${Math.round(n / seconds)} ops/s`, '—']);
    ceilings.push({ part: 'Redis operations', perSecond: n / seconds });
  }
  report.push({ section: '(a) ceilings of the parts', rows });
  return ceilings;
}

export async function bullLateness(): Promise<void> {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const connection = bullConnection(testInfra.redisUrl);
  const queue = new Queue(name, { connection, prefix: 'bench' });
  const events = new QueueEvents(name, { connection, prefix: 'bench' });
  const lateness = new Histogram();
  const worker = new Worker(name, async (job) => void lateness.record(Date.now() - (job.data.due as number)), { connection, prefix: 'bench' });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  const n = quick ? 20 : 100;
  for (let i = 0; i < n; i++) {
    const delay = 300 + (i % 10) * 70;
    await queue.add('j', { due: Date.now() + delay }, { delay, removeOnComplete: true });
  }
  await until('delayed jobs to fire', async () => lateness.count >= n, 30_000);
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const s = lateness.summary();
  report.push({ section: '(f) BullMQ delayed jobs', rows: [['lateness p50 / p99 / max', `${fmt(s.p50)} / ${fmt(s.p99)} / ${fmt(s.max)}`, '≤ 1000 ms']] });
}
