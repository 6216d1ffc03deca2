import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import { connect } from 'amqplib';
import mongoose, { Model, Schema } from 'mongoose';
import { Topology } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { declareBaseTopology, declareCommandQueue, MessagingModule, OutboxRelay, outboxSchemaFields } from '@wellifiy/messaging';
import { createIsolatedVhost, deleteVhost, expectEventually, testInfra, uniqueName } from '@wellifiy/testing';
import { initMetrics, metricsRegistry } from './metrics';
import { OpsModule } from './ops.module';
import { OpsSampler } from './samplers';

/*
 * OpsModule in a process of its own against the real MongoDB-compatible server and RabbitMQ (a vhost of this
 * test): terminus readiness (RabbitMQ, MongoDB, an app's extra check), and the sampled gauges — queue depths by
 * passive declare, the outbox backlog — scraped from /metrics.
 */
const DOCS = 'ops_docs';
let extraDown = false;

describe('OpsModule: terminus readiness and sampled gauges', () => {
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const dbName = uniqueName('it-ops');
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    initMetrics('channels');
    @Module({
      imports: [
        MongooseModule.forRoot(testInfra.mongoUrl, { dbName, retryWrites: false }),
        MongooseModule.forFeature([{ name: DOCS, schema: new Schema({ _id: String, ...outboxSchemaFields }) }]),
        MessagingModule.forRoot({ url: broker.url, source: 'channels', keyRing: KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1') }),
        OpsModule.forRoot({
          mongo: true,
          extraChecks: {
            inject: [],
            useFactory: () => [{ name: 'redis', check: async () => { if (extraDown) throw new Error('connect ECONNREFUSED 127.0.0.1:6379'); } }],
          },
        }),
      ],
    })
    class OpsTestModule {}
    app = await NestFactory.create(OpsTestModule, { logger: ['error'] });
    app.enableShutdownHooks();
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    if (broker.vhost) deleteVhost(broker.vhost);
    const client = await mongoose.createConnection(testInfra.mongoUrl, { dbName }).asPromise();
    await client.dropDatabase();
    await client.close();
  });

  it('is ready with every indicator up, in terminus\'s result', async () => {
    // ready once the broker connection is up (it connects in the background)
    const res = await expectEventually(async () => {
      const r = await fetch(`${base}/health/ready`);
      expect({ status: r.status, body: await r.clone().text() }).toMatchObject({ status: 200 });
      return r;
    });
    const up = { status: 'up' };
    expect(await res.json()).toEqual({ status: 'ok', info: { rabbitmq: up, mongodb: up, redis: up }, error: {}, details: { rabbitmq: up, mongodb: up, redis: up } });
  });

  it('answers 503 with Retry-After, naming the dependency that failed and why', async () => {
    extraDown = true;
    try {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const body = (await res.json()) as { status: string; error: unknown; info: Record<string, unknown> };
      expect(body.status).toBe('error');
      expect(body.error).toEqual({ redis: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:6379' } });
      expect(Object.keys(body.info).sort()).toEqual(['mongodb', 'rabbitmq']);
      expect(await metricsRegistry.getSingleMetricAsString('health_ready')).toContain('health_ready{service="channels"} 0');
    } finally {
      extraDown = false;
    }
  });

  it('samples the depth of its command queue and its outbox backlog, exposed at /metrics', async () => {
    const admin = await connect(broker.url);
    const ch = await admin.createConfirmChannel();
    await declareBaseTopology(ch);
    await declareCommandQueue(ch, Topology.commandQueue('channels'));
    for (const n of [1, 2, 3]) ch.sendToQueue(Topology.commandQueue('channels'), Buffer.from(`{"n":${n}}`));
    await ch.waitForConfirms();
    await admin.close();

    const model = app.get<Model<any>>(getModelToken(DOCS));
    app.get(OutboxRelay).register(model);
    const old = new Date(Date.now() - 3_600_000);
    await model.collection.insertMany([
      { _id: 'd1', outbox: [{ id: 'e1' }], outboxAt: old, outboxPending: 1 },
      { _id: 'd2', outbox: [{ id: 'e2' }], outboxAt: old, outboxPending: 1 },
      { _id: 'd3', outbox: [] },
    ] as never[]);
    app.get(OutboxRelay).stop(); // the sweeper would dispatch them: the backlog is what is being measured

    await app.get(OpsSampler).sample();
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('rabbitmq_queue_messages{queue="wellifiy.channels.commands",service="channels"} 3');
    expect(text).toContain('rabbitmq_queue_consumers{queue="wellifiy.channels.commands",service="channels"} 0');
    // the event queue was never declared here: no series rather than a made-up zero
    expect(text).not.toContain('queue="wellifiy.channels.events"');
    expect(text).toContain(`outbox_backlog{collection="${model.collection.name}",service="channels"} 2`);
  });
});
