import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { AMQP_PROCESSES, AmqpProcess, DomainError, ErrorCode, Headers, PingResult, Rpc, Topology } from '@wellifiy/contracts';
import { amqpUserOf } from '@wellifiy/config';
import { KeyRing } from '@wellifiy/crypto';
import { AmqpProbe, expectEventually, expectNever, testInfra, uniqueName } from '@wellifiy/testing';
import { connect, type Options } from 'amqplib';
import { connectAmqp } from './amqp-connection';
import { AmqpContext, AmqpServer } from './amqp-server';
import { EventSeal } from './event-seal';
import { RpcPassthroughFilter } from './rpc-error.filter';
import { RETRY_HINT_MAX_MS, RETRY_HINT_MIN_MS, RpcClient } from './rpc-client';
import { QueueOptions, REDELIVERY_LIMIT } from './topology';

/*
 * Only the four real service names have command queues, so this suite serves `activation-rules.ping`
 * on the real activation-rules command queue while it runs (tiers run one after the other). PingRequest
 * carries no fields, so the test handler picks its behaviour from the caller's correlation id.
 */
const SECRET = 'db password is hunter2';
const SAME_USER_FOR_ALL = Object.fromEntries(AMQP_PROCESSES.map((p) => [p, amqpUserOf(testInfra.amqpUrl)])) as Record<AmqpProcess, string>;
const slowWaiting: Array<() => void> = [];
const slowStarted: string[] = [];
/** Lets every slow handler waiting so far answer. */
const releaseSlow = (): void => slowWaiting.splice(0).forEach((release) => release());

@Controller()
class TestRpcController {
  @MessagePattern(Rpc.ActivationRulesPing)
  async ping(@Ctx() ctx: AmqpContext): Promise<PingResult> {
    const mode = ctx.correlationId?.split(':')[0];
    switch (mode) {
      case 'not-found':
        throw new DomainError(ErrorCode.NotFound, `channel ${ctx.correlationId} not found`);
      case 'crash':
        throw new Error(SECRET);
      case 'slow':
        slowStarted.push(ctx.correlationId ?? '');
        await new Promise<void>((resolve) => slowWaiting.push(resolve));
        return { service: 'activation-rules', ok: true };
      default:
        return { service: 'activation-rules', ok: true };
    }
  }
}

@Module({ controllers: [TestRpcController] })
class TestRpcModule {}

const seal = new EventSeal(KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1'));

describe('RPC over RabbitMQ (AmqpServer + RpcClient)', () => {
  let app: INestMicroservice;
  let connection: AmqpConnectionManager;
  let client: RpcClient;

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(TestRpcModule, {
      // One broker user plays every part here; apps/*/…/broker-users.int-spec.ts checks users of their own.
      strategy: new AmqpServer({ url: testInfra.amqpUrl, service: 'activation-rules', prefetch: 10, maxEventAttempts: 3, seal, users: SAME_USER_FOR_ALL }),
      logger: ['error'],
    });
    app.useGlobalFilters(new RpcPassthroughFilter());
    await app.listen();
    connection = connectAmqp(testInfra.amqpUrl, uniqueName('it-rpc-client'));
    client = new RpcClient(connection, uniqueName('it-rpc-client'), 3000, amqpUserOf(testInfra.amqpUrl));
    await client.waitForConnect();
  });

  afterAll(async () => {
    releaseSlow();
    await client?.close();
    await connection?.close();
    await app?.close();
    // The queue is a quorum queue: left on the shared broker, a branch that still declares it classic would get 406.
    const conn = await connect(testInfra.amqpUrl);
    await (await conn.createChannel()).deleteQueue('wellifiy.activation-rules.commands');
    await conn.close();
  });

  async function rejection(p: Promise<unknown>): Promise<DomainError> {
    const err = await p.then(
      () => new Error('expected the call to fail'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }

  it('answers ping with the service name', async () => {
    await expect(client.send(Rpc.ActivationRulesPing, {})).resolves.toEqual({ service: 'activation-rules', ok: true });
  });

  it('answers many concurrent calls, each with its own reply', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => client.send(Rpc.ActivationRulesPing, {})));
    expect(replies).toEqual(Array.from({ length: 20 }, () => ({ service: 'activation-rules', ok: true })));
  });

  it('rejects with the DomainError code and message the handler threw', async () => {
    const correlationId = `not-found:${uniqueName('c')}`;
    const err = await rejection(client.send(Rpc.ActivationRulesPing, {}, { correlationId }));
    expect(err.code).toBe(ErrorCode.NotFound);
    expect(err.message).toBe(`channel ${correlationId} not found`);
  });

  it('rejects an invalid request payload with VALIDATION_FAILED and field details', async () => {
    const err = await rejection(client.send(Rpc.ActivationRulesPing, { bogus: 1 } as never));
    expect(err.code).toBe(ErrorCode.ValidationFailed);
    expect(err.message).toContain('bogus');
    expect(err.details).toEqual([expect.objectContaining({ field: 'bogus', problems: [expect.stringContaining('should not exist')] })]);
  });

  it('rejects with RPC_TIMEOUT when the handler does not answer within the timeout', async () => {
    const correlationId = `slow:${uniqueName('c')}`;
    const started = Date.now();
    const err = await rejection(client.send(Rpc.ActivationRulesPing, {}, { correlationId, timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(err.code).toBe(ErrorCode.RpcTimeout);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2000);
    expect(slowStarted).toContain(correlationId);
    // Let the handler finish late: its reply must be dropped and the client keep working.
    releaseSlow();
    await expect(client.send(Rpc.ActivationRulesPing, {})).resolves.toEqual({ service: 'activation-rules', ok: true });
    expect(client.inFlight('activation-rules')).toBe(0);
  });

  it('refuses a call at once with OVERLOADED and a retry hint while the in-flight limit is reached, and takes calls again once replies come', async () => {
    const limited = new RpcClient(connection, uniqueName('it-rpc-limited'), 3000, amqpUserOf(testInfra.amqpUrl), { maxInFlightPerService: 2 });
    await limited.waitForConnect();
    try {
      await expect(limited.send(Rpc.ActivationRulesPing, {})).resolves.toEqual({ service: 'activation-rules', ok: true });
      const ids = [`slow:${uniqueName('c')}`, `slow:${uniqueName('c')}`];
      const held = ids.map((correlationId) => limited.send(Rpc.ActivationRulesPing, {}, { correlationId }));
      await expectEventually(() => expect(slowStarted).toEqual(expect.arrayContaining(ids)));
      expect(limited.inFlight('activation-rules')).toBe(2);
      const startedBefore = slowStarted.length;
      const refused = await rejection(limited.send(Rpc.ActivationRulesPing, {}, { correlationId: `slow:${uniqueName('c')}` }));
      expect(refused.code).toBe(ErrorCode.Overloaded);
      expect(refused.message).toContain('activation-rules service is at capacity (2 requests in flight)');
      const hint = (refused.details as { retryAfterMs: number }).retryAfterMs;
      expect(hint).toBeGreaterThanOrEqual(RETRY_HINT_MIN_MS);
      expect(hint).toBeLessThanOrEqual(RETRY_HINT_MAX_MS);
      // Refused before it was sent: the service never saw it, and nothing more is outstanding.
      await expectNever(() => slowStarted.length > startedBefore, { forMs: 300, what: 'the refused call reached the service' });
      expect(limited.inFlight('activation-rules')).toBe(2);
      releaseSlow();
      await expect(Promise.all(held)).resolves.toHaveLength(2);
      expect(limited.inFlight('activation-rules')).toBe(0);
      await expect(limited.send(Rpc.ActivationRulesPing, {})).resolves.toEqual({ service: 'activation-rules', ok: true });
    } finally {
      releaseSlow();
      await limited.close();
    }
  });

  it('reports an unexpected error as INTERNAL without leaking its message', async () => {
    const err = await rejection(client.send(Rpc.ActivationRulesPing, {}, { correlationId: `crash:${uniqueName('c')}` }));
    expect(err.code).toBe(ErrorCode.Internal);
    expect(err.message).not.toContain('hunter2');
    expect(JSON.stringify(err.details ?? null)).not.toContain('hunter2');
  });

  it('dead-letters commands no caller could mean (not JSON, unknown name) with the reason, and keeps answering', async () => {
    const probe = await AmqpProbe.connect(testInfra.amqpUrl);
    try {
      const dead = await probe.captureDeadLetters();
      const notJson = probe.sendToQueue('wellifiy.activation-rules.commands', '{"pattern": ');
      const unknown = probe.sendToQueue('wellifiy.activation-rules.commands', JSON.stringify({ pattern: 'activation-rules.no-such-command', data: {} }));
      await expectEventually(() => {
        expect(dead.byMessageId(notJson)[0]?.headers).toMatchObject({ [Headers.deadLetterReason]: 'command body is not valid JSON', [Headers.deadLetterQueue]: 'wellifiy.activation-rules.commands' });
        expect(dead.byMessageId(unknown)[0]?.headers[Headers.deadLetterReason]).toBe('unknown command "activation-rules.no-such-command"');
      });
      await expect(client.send(Rpc.ActivationRulesPing, {})).resolves.toEqual({ service: 'activation-rules', ok: true });
    } finally {
      await probe.close();
    }
  });

  it('item 3: a dead-lettered command rests sealed (a command may carry a message body)', async () => {
    const probe = await AmqpProbe.connect(testInfra.amqpUrl);
    try {
      const dead = await probe.captureDeadLetters();
      const marker = uniqueName('my-symptoms');
      const id = probe.sendToQueue('wellifiy.activation-rules.commands', JSON.stringify({ pattern: 'activation-rules.no-such-command', data: { body: marker } }));
      const found = await expectEventually(() => {
        expect(dead.byMessageId(id)).toHaveLength(1);
        return dead.byMessageId(id)[0];
      });
      expect(found.content).not.toContain(marker);
      const box = (found.body as { sealedMessage: Parameters<EventSeal['openBytes']>[0] }).sealedMessage;
      expect(JSON.parse(seal.openBytes(box, 'dead-letter').toString('utf8'))).toMatchObject({ data: { body: marker } });
    } finally {
      await probe.close();
    }
  });

  it('drops a request whose caller has given up (deadline passed) without running it or dead-lettering it', async () => {
    const probe = await AmqpProbe.connect(testInfra.amqpUrl);
    try {
      const dead = await probe.captureDeadLetters();
      const correlationId = `slow:${uniqueName('late')}`;
      const id = probe.sendToQueue('wellifiy.activation-rules.commands', JSON.stringify({ pattern: Rpc.ActivationRulesPing, data: {} }), {
        headers: { [Headers.deadline]: Date.now() - 1000, [Headers.correlationId]: correlationId },
      });
      await expectNever(() => slowStarted.includes(correlationId) || dead.byMessageId(id).length > 0, { forMs: 1500, what: 'a late request run or dead-lettered' });
    } finally {
      await probe.close();
    }
  });

  it('the command queue is a quorum queue with a delivery limit and no broker dead-lettering (a command may carry a body in the clear)', async () => {
    const conn = await connect(testInfra.amqpUrl);
    try {
      const refusal = async (options: Options.AssertQueue): Promise<string> => {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        return ch.assertQueue('wellifiy.activation-rules.commands', options).then(() => (void ch.close(), 'accepted'), (err: Error) => err.message);
      };
      expect(await refusal({ ...QueueOptions.commands(), arguments: { ...QueueOptions.commands().arguments, 'x-queue-type': 'classic' } })).toMatch(/inequivalent arg 'x-queue-type'/);
      expect(await refusal({ ...QueueOptions.commands(), arguments: { ...QueueOptions.commands().arguments, 'x-dead-letter-exchange': Topology.deadLetterExchange } })).toMatch(/inequivalent arg 'x-dead-letter-exchange'/);
      expect(await refusal(QueueOptions.commands())).toBe('accepted');
      expect(QueueOptions.commands().arguments).toMatchObject({ 'x-delivery-limit': REDELIVERY_LIMIT });
    } finally {
      await conn.close();
    }
  });

  it('leaves nothing behind on the command queue', async () => {
    await expectEventually(async () => {
      const ch = await connection.createChannel({ json: false });
      try {
        await ch.waitForConnect();
        const q = await ch.checkQueue('wellifiy.activation-rules.commands');
        expect(q.messageCount).toBe(0);
      } finally {
        await ch.close();
      }
    });
  });
});
