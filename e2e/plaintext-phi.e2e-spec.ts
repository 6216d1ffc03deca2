import { randomUUID } from 'node:crypto';
import http from 'node:http';
import amqp from 'amqplib';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { JobIds, Topology } from '@wellifiy/contracts';
import { declareBaseTopology, DEAD_LETTER_BOUNDS, QueueOptions } from '@wellifiy/messaging';
import { AmqpProbe, CaptureQueue, expectEventually, testInfra } from '@wellifiy/testing';
import { api, newOrg, publishInbound } from './support/client';
import { e2ePreviewPort } from './support/media-env';
import { E2E_BASE_PORT, e2eAmqpUrl, e2eDbName } from './support/system';

const SERVICES_WITH_DATABASES = ['channels', 'messages', 'notifications', 'activation-rules'];

/** Every value stored under a Redis key, whatever its type, as one string (BullMQ keeps hashes, lists, sorted sets, streams). */
async function dumpRedisKey(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}

/**
 * Issue item 3, plaintext PHI outside the database's sealed fields: what people wrote (a message body with a link,
 * an edit and a removal reason, a group channel's name) and a patient's name and email are sent through the system the way clients and the
 * patient service do, then looked for in the raw BullMQ keys of this system in Redis, in every message the broker
 * routed (a tap on the events exchange, and one on the dead-letter exchange), and in every document of every
 * service database. Inbound events as their publisher sent them are the publisher's message and are left out.
 */
describe('item 3: plaintext PHI outside the sealed fields (Redis, broker queues, MongoDB)', () => {
  const org = newOrg();
  const tag = randomUUID().slice(0, 8);
  const markers = {
    body: `phi-body-${tag}`,
    link: `phi-link-${tag}`,
    edit: `phi-edit-${tag}`,
    editReason: `phi-edit-reason-${tag}`,
    removalReason: `phi-removal-reason-${tag}`,
    firstName: `Phifirst${tag}`,
    lastName: `Philast${tag}`,
    email: `phi-mail-${tag}@example.com`,
    renamed: `Phirenamed${tag}`,
    poisonName: `Phipoison${tag}`,
    channelName: `phi-channel-name-${tag}`,
  };
  const allMarkers = Object.values(markers);
  const leaked = (text: string): string[] => allMarkers.filter((m) => text.includes(m));

  let probe: AmqpProbe;
  let routed: CaptureQueue;
  let deadLetters: CaptureQueue;
  const inboundIds = new Set<string>();
  let redis: Redis;
  let mongo: mongoose.mongo.MongoClient;
  let server: http.Server;
  let channelId: string;
  let messageId: string;
  let patientId: string;
  let manager: Awaited<ReturnType<typeof org.teamMember>>;
  let auditor: Awaited<ReturnType<typeof org.teamMember>>;

  beforeAll(async () => {
    probe = await AmqpProbe.connect(e2eAmqpUrl());
    routed = await probe.capture(Topology.eventsExchange, 'topic', ['#']);
    deadLetters = await probe.captureDeadLetters();
    redis = new Redis(testInfra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    mongo = await mongoose.mongo.MongoClient.connect(testInfra.mongoUrl);
    // The page a message links to: the preview job fetches it (the allow-listed local server of the e2e system).
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><head><meta property="og:title" content="A page"></head></html>');
    });
    await new Promise<void>((r) => server.listen(e2ePreviewPort(E2E_BASE_PORT), '127.0.0.1', r));

    manager = await org.teamMember(undefined, ['messaging:manage']);
    auditor = await org.teamMember(undefined, ['audit:read']);
    const colleague = await org.teamMember();
    patientId = `pt_${tag}`;
    inboundIds.add(await publishInbound('patient.created', org.orgId, { patientId, firstName: markers.firstName, lastName: markers.lastName, email: markers.email }));
    const patient = await org.patient(patientId);
    inboundIds.add(await publishInbound('patient.updated', org.orgId, { patientId, lastName: markers.renamed }));
    // Poison carrying a name (a bad email): dead-lettered by every consumer of patient.created.
    inboundIds.add(await publishInbound('patient.created', org.orgId, { patientId: `pt_bad_${tag}`, firstName: markers.poisonName, lastName: 'X', email: 'not-an-email' }));

    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: manager.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
    const added = await api('POST', `/v1/channels/${channelId}/members`, { token: manager.token, body: { userId: colleague.userId } });
    expect([200, 201]).toContain(added.status);
    const removed = await api('DELETE', `/v1/channels/${channelId}/members/${colleague.userId}?reason=${encodeURIComponent(markers.removalReason)}`, { token: manager.token });
    expect(removed.status).toBe(200);

    const group = await api('POST', '/v1/channels', { token: manager.token, body: { type: 'group', name: markers.channelName, memberIds: [patient.userId] } });
    expect(group.status).toBe(201);
    expect(group.body.name).toBe(markers.channelName);

    const url = `http://127.0.0.1:${e2ePreviewPort(E2E_BASE_PORT)}/${markers.link}`;
    const sent = await api('POST', `/v1/channels/${channelId}/messages`, { token: patient.token, body: { clientMessageId: `c-${tag}`, body: `${markers.body} see ${url}` } });
    expect(sent.status).toBe(201);
    messageId = sent.body.id;
    // The preview is stored (its job done) before the message changes again.
    await expectEventually(async () => {
      const page = await api('GET', `/v1/channels/${channelId}/messages`, { token: manager.token });
      expect(page.body.messages.find((m: { id: string }) => m.id === messageId)?.linkPreview).toMatchObject({ title: 'A page' });
    }, { timeoutMs: 15_000 });
    const edited = await api('PATCH', `/v1/channels/${channelId}/messages/${messageId}`, { token: manager.token, body: { body: markers.edit, reason: markers.editReason } });
    expect(edited.status).toBe(200);
  });

  afterAll(async () => {
    await probe?.close();
    redis?.disconnect();
    await mongo?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('item 3: no event on the broker carries a body, a reason, a name or an email in plaintext (content events are sealed)', async () => {
    await expectEventually(() => {
      const ours = routed.messages.filter((m) => !inboundIds.has(m.messageId ?? ''));
      expect(ours.map((m) => m.routingKey)).toEqual(expect.arrayContaining(['message.created', 'message.updated', 'channel.member.removed']));
    }, { timeoutMs: 15_000 });
    const ours = routed.messages.filter((m) => !inboundIds.has(m.messageId ?? ''));
    expect(ours.map((m) => ({ type: m.routingKey, leaked: leaked(m.content) })).filter((m) => m.leaked.length)).toEqual([]);
    const created = ours.find((m) => m.routingKey === 'message.created');
    expect(created?.body).toMatchObject({ type: 'message.created', orgId: org.orgId, sealed: { keyId: expect.any(String), ciphertext: expect.any(String) } });
    expect(created?.body).not.toHaveProperty('data');
  });

  it('item 3: the dead-letter queue holds no name in plaintext (poison is sealed when it is dead-lettered)', async () => {
    await expectEventually(() => expect(deadLetters.messages.length).toBeGreaterThan(0), { timeoutMs: 15_000 });
    expect(deadLetters.messages.map((m) => ({ queue: m.headers['x-original-queue'], leaked: leaked(m.content) })).filter((m) => m.leaked.length)).toEqual([]);
    // The reason stays readable for operators; it names the field, not the value.
    expect(deadLetters.messages.some((m) => String(m.headers['x-dead-letter-reason']).includes('email'))).toBe(true);
  });

  it('item 3: the dead-letter queue is bounded in length and age, and a queue of an earlier release is unbound rather than redeclared', async () => {
    const conn = await amqp.connect(e2eAmqpUrl());
    try {
      const check = await conn.createChannel();
      await check.checkQueue(Topology.deadLetterQueue); // declared by the running services
      await check.assertQueue(Topology.deadLetterQueue, QueueOptions.deadLetter()); // same arguments: accepted
      expect(QueueOptions.deadLetter().arguments).toMatchObject({ ...DEAD_LETTER_BOUNDS, 'x-queue-type': 'quorum' });
      const unbounded = await conn.createChannel();
      unbounded.on('error', () => undefined); // the 406 closes this channel, as expected
      const refused = await unbounded.assertQueue(Topology.deadLetterQueue, { durable: true }).then(() => 'accepted', (err: Error) => err.message);
      expect(refused).toMatch(/PRECONDITION_FAILED/);

      // Earlier releases' queues (the unbounded one, then the bounded classic one), still bound to the dead-letter
      // exchange: a service starting with this release declares its topology without a 406, and dead letters stop
      // reaching the old queues.
      const ch = await conn.createChannel();
      await ch.assertQueue(Topology.legacyDeadLetterQueue, { durable: true });
      await ch.assertQueue(Topology.boundedClassicDeadLetterQueue, { durable: true, arguments: { ...DEAD_LETTER_BOUNDS } });
      for (const old of [Topology.legacyDeadLetterQueue, Topology.boundedClassicDeadLetterQueue]) await ch.bindQueue(old, Topology.deadLetterExchange, '');
      await declareBaseTopology(ch);
      for (const old of [Topology.legacyDeadLetterQueue, Topology.boundedClassicDeadLetterQueue]) await ch.purgeQueue(old);
      ch.publish(Topology.deadLetterExchange, '', Buffer.from('{}'), { messageId: `probe-${tag}` });
      await expectEventually(() => expect(deadLetters.byMessageId(`probe-${tag}`)).toHaveLength(1));
      for (const old of [Topology.legacyDeadLetterQueue, Topology.boundedClassicDeadLetterQueue]) {
        expect((await ch.checkQueue(old)).messageCount).toBe(0);
        await ch.deleteQueue(old);
      }
    } finally {
      await conn.close().catch(() => undefined);
    }
  });

  it('item 3: no BullMQ key of this system in Redis (job data, return values, event streams) holds a body or a link', async () => {
    const prefix = `${process.env.E2E_DB_PREFIX ?? 'e2e'}:`;
    const jobKey = `${prefix}messages-link-preview:${JobIds.linkPreview(org.orgId, messageId)}`;
    await expectEventually(async () => expect(await redis.hget(jobKey, 'finishedOn')).toEqual(expect.any(String)), { timeoutMs: 15_000 });
    const data = JSON.parse((await redis.hget(jobKey, 'data')) ?? 'null') as Record<string, unknown>;
    expect(data).toMatchObject({ orgId: org.orgId, messageId });
    // Ids only (and the trace context when tracing is on): nothing a person wrote.
    expect(Object.keys(data).filter((k) => !['orgId', 'messageId', 'correlationId', 'traceparent', 'tracestate'].includes(k))).toEqual([]);
    expect(JSON.parse((await redis.hget(jobKey, 'returnvalue')) ?? 'null')).toEqual({ status: 'updated' });

    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys).toContain(jobKey);
    const found: { key: string; leaked: string[] }[] = [];
    for (const key of keys) {
      const hits = leaked(await dumpRedisKey(redis, key));
      if (hits.length) found.push({ key, leaked: hits });
    }
    expect(found).toEqual([]);
  });

  it('item 3: no document of any service database holds a body, a reason, a name or an email in plaintext', async () => {
    await expectEventually(async () => {
      // Everything has landed: the removal reason in the audit trail, the rename in the directory.
      const audit = await api('GET', `/v1/admin/audit?channelId=${channelId}`, { token: auditor.token });
      expect(audit.body.entries.map((e: { reason: string | null }) => e.reason)).toContain(markers.removalReason);
      const patients = mongo.db(e2eDbName('channels')).collection('patients');
      expect(await patients.countDocuments({ orgId: org.orgId, patientId })).toBe(1);
      const members = await api('GET', `/v1/channels/${channelId}/members`, { token: manager.token });
      expect(JSON.stringify(members.body)).toContain(markers.renamed);
    }, { timeoutMs: 15_000 });

    const found: { db: string; collection: string; leaked: string[] }[] = [];
    for (const service of SERVICES_WITH_DATABASES) {
      const db = mongo.db(e2eDbName(service));
      for (const { name } of await db.listCollections().toArray()) {
        const hits = leaked(JSON.stringify(await db.collection(name).find({}).toArray()));
        if (hits.length) found.push({ db: service, collection: name, leaked: hits });
      }
    }
    expect(found).toEqual([]);
  });
});
