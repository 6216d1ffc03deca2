import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connect } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { amqpUserOf, parseAmqpUsers } from '@wellifiy/config';
import {
  Actor, AmqpProcess, DomainError, ErrorCode, GetChannelRequest, Headers, MembershipCheckRequest, Rpc, Topology,
} from '@wellifiy/contracts';
import {
  AmqpProbe, canProvision, createIsolatedVhost, deleteVhost, expectEventually, testInfra, uniqueName,
} from '@wellifiy/testing';
import { connectAmqp } from './amqp-connection';
import { AmqpServer } from './amqp-server';
import { RpcPassthroughFilter } from './rpc-error.filter';
import { RpcClient } from './rpc-client';
import { QueueOptions } from './topology';

/*
 * Each service its own RabbitMQ user, with the permissions of contracts/broker-access.ts, on a vhost of this test's
 * own: the channels service's command consumer runs as the channels user, and callers connect as the gateway or as
 * other services. Actor-bearing commands are accepted from the gateway's user only, as RabbitMQ's user-id says.
 */
const handled: string[] = [];

@Controller()
class ChannelsLikeController {
  @MessagePattern(Rpc.ChannelsGet)
  get(@Payload() req: GetChannelRequest): { channelId: string } {
    handled.push(`get:${req.channelId}`);
    return { channelId: req.channelId };
  }

  @MessagePattern(Rpc.ChannelsMembershipCheck)
  check(@Payload() req: MembershipCheckRequest): { channel: null } {
    handled.push(`check:${req.channelId}`);
    return { channel: null };
  }
}

@Module({ controllers: [ChannelsLikeController] })
class ChannelsLikeModule {}

const actor: Actor = { userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'] };

describe('Services trust any actor in an RPC: each service its own broker user; actor-bearing commands only from the gateway', () => {
  if (!canProvision(testInfra.amqpUrl)) throw new Error('this suite needs the local RabbitMQ and rabbitmqctl (it creates users and a vhost)');
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  if (!broker.vhost || !broker.users) throw new Error('could not create a vhost with broker users (E2E_SHARED_VHOST set?)');
  const { urls, amqpUsers } = broker.users;
  let app: INestMicroservice;
  const connections: AmqpConnectionManager[] = [];
  const clients = new Map<AmqpProcess, RpcClient>();

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(ChannelsLikeModule, {
      strategy: new AmqpServer({ url: urls.channels, service: 'channels', prefetch: 10, maxEventAttempts: 3, users: parseAmqpUsers(amqpUsers) }),
      logger: ['error'],
    });
    app.useGlobalFilters(new RpcPassthroughFilter());
    await app.listen();
    for (const kind of ['gateway', 'messages', 'notifications', 'activation-rules'] as const) {
      const connection = connectAmqp(urls[kind], uniqueName(`it-${kind}`));
      connections.push(connection);
      const client = new RpcClient(connection, uniqueName(`it-${kind}`), 3000, amqpUserOf(urls[kind]));
      await client.waitForConnect();
      clients.set(kind, client);
    }
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    for (const connection of connections) await connection.close();
    await app?.close();
    if (broker.vhost) deleteVhost(broker.vhost);
  });

  const client = (kind: AmqpProcess): RpcClient => {
    const c = clients.get(kind);
    if (!c) throw new Error(`no client for ${kind}`);
    return c;
  };

  async function refusal(p: Promise<unknown>): Promise<DomainError> {
    const err = await p.then(() => new Error('expected the call to be refused'), (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }

  it('accepts an actor-bearing command from the gateway\'s user', async () => {
    const channelId = uniqueName('ch');
    await expect(client('gateway').send(Rpc.ChannelsGet, { actor, channelId })).resolves.toEqual({ channelId });
    expect(handled).toContain(`get:${channelId}`);
  });

  it.each(['messages', 'notifications', 'activation-rules'] as const)(
    'refuses an actor-bearing command sent with the %s service\'s credentials, dead-lettering it with the reason',
    async (kind) => {
      const probe = await AmqpProbe.connect(broker.url);
      try {
        const dead = await probe.captureDeadLetters();
        const channelId = uniqueName('forged');

        const err = await refusal(client(kind).send(Rpc.ChannelsGet, { actor, channelId }));

        expect(err.code).toBe(ErrorCode.RpcCallerNotAllowed);
        expect(err.message).toBe(`channels.get carries an actor and is accepted only from the gateway's broker user; it came from broker user "${amqpUserOf(urls[kind])}"`);
        expect(handled).not.toContain(`get:${channelId}`);
        await expectEventually(() => {
          const letter = dead.messages.find((m) => JSON.stringify(m.body).includes(channelId));
          expect(letter?.headers[Headers.deadLetterReason]).toBe(err.message);
          expect(letter?.headers[Headers.deadLetterQueue]).toBe(Topology.commandQueue('channels'));
        });
      } finally {
        await probe.close();
      }
    },
  );

  it('accepts a service-to-service command from the services that send it, and refuses it from others', async () => {
    for (const kind of ['messages', 'notifications'] as const) {
      const channelId = uniqueName(`check-${kind}`);
      await expect(client(kind).send(Rpc.ChannelsMembershipCheck, { orgId: 'org_1', channelId })).resolves.toEqual({ channel: null });
      expect(handled).toContain(`check:${channelId}`);
    }
    const channelId = uniqueName('check-ar');
    const err = await refusal(client('activation-rules').send(Rpc.ChannelsMembershipCheck, { orgId: 'org_1', channelId }));
    expect(err.message).toMatch(/^channels\.membership-check is accepted only from messages, notifications; it came from broker user/);
    expect(handled).not.toContain(`check:${channelId}`);
  });

  it('a command without user-id is refused: the sender is unknown', async () => {
    const probe = await AmqpProbe.connect(urls.messages);
    try {
      const channelId = uniqueName('anonymous');
      const admin = await AmqpProbe.connect(broker.url);
      try {
        const dead = await admin.captureDeadLetters();
        probe.sendToQueue(Topology.commandQueue('channels'), JSON.stringify({ pattern: Rpc.ChannelsGet, data: { actor, channelId } }));
        await expectEventually(() => {
          const letter = dead.messages.find((m) => JSON.stringify(m.body).includes(channelId));
          expect(letter?.headers[Headers.deadLetterReason]).toMatch(/it came from a sender without user-id$/);
        });
      } finally {
        await admin.close();
      }
      expect(handled).not.toContain(`get:${channelId}`);
    } finally {
      await probe.close();
    }
  });

  it('a forged user-id (the gateway\'s, sent on another service\'s connection) is refused by the broker itself', async () => {
    const connection = await connect(urls.messages);
    try {
      const channel = await connection.createChannel();
      const closed = new Promise<Error>((resolve) => channel.once('error', resolve));
      const channelId = uniqueName('forged-user-id');
      channel.sendToQueue(Topology.commandQueue('channels'), Buffer.from(JSON.stringify({ pattern: Rpc.ChannelsGet, data: { actor, channelId } })), {
        userId: amqpUserOf(urls.gateway),
        contentType: 'application/json',
      });

      const err = await closed;
      expect(err.message).toMatch(/PRECONDITION_FAILED - user_id property set to '.*-gateway' but authenticated user was '.*-messages'/);
      // Nothing reached the service.
      await expect(client('gateway').send(Rpc.ChannelsGet, { actor, channelId: 'after-forgery' })).resolves.toEqual({ channelId: 'after-forgery' });
      expect(handled).not.toContain(`get:${channelId}`);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('a caller does not declare the queue it sends to: a command for a service that never started fails at once with SERVICE_UNAVAILABLE', async () => {
    // No messages service ever ran on this vhost: its command queue does not exist, and the gateway may not create it.
    const started = Date.now();
    const err = await refusal(client('gateway').send(Rpc.MessagesPing, {}, { timeoutMs: 3000 }));

    expect(err.code).toBe(ErrorCode.ServiceUnavailable);
    expect(err.message).toBe('the messages service is not running (its command queue does not exist yet)');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('least privilege: another service\'s user can neither consume nor declare nor delete the channels command queue', async () => {
    const attempts: [string, (ch: import('amqplib').Channel) => Promise<unknown>][] = [
      ['consume', (ch) => ch.consume(Topology.commandQueue('channels'), () => undefined)],
      ['declare', (ch) => ch.assertQueue(Topology.commandQueue('channels'), QueueOptions.commands())],
      ['delete', (ch) => ch.deleteQueue(Topology.commandQueue('channels'))],
      ['consume the gateway\'s realtime queues', (ch) => ch.assertQueue(Topology.gatewayRealtimeQueue('00000000-0000-4000-8000-000000000000'), { exclusive: true })],
    ];
    for (const [what, attempt] of attempts) {
      const connection = await connect(urls.messages);
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await expect(attempt(channel)).rejects.toThrow(/ACCESS_REFUSED/);
      } catch (err) {
        throw new Error(`${what}: ${(err as Error).message}`);
      } finally {
        await connection.close().catch(() => undefined);
      }
    }
    // The queue is still there and served.
    await expect(client('gateway').send(Rpc.ChannelsGet, { actor, channelId: 'still-served' })).resolves.toEqual({ channelId: 'still-served' });
  });
});
