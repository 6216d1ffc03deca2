import { connect } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { amqpUserOf } from '@wellifiy/config';
import { DomainError, ErrorCode, PING_RPC, Topology } from '@wellifiy/contracts';
import { connectAmqp, declareBaseTopology, declareCommandQueue, RpcClient } from '@wellifiy/messaging';
import { metricsRegistry } from '@wellifiy/ops';
import { createIsolatedVhost, deleteVhost, testInfra, uniqueName } from '@wellifiy/testing';
import { SERVICE_DOWN_RETRY_AFTER_MS, ServiceAvailability } from './service-availability';

/*
 * On a RabbitMQ vhost of its own, as the gateway's broker user: a service is up while something consumes its
 * command queue, and while it is down the RPC client refuses its requests at once (no wait for the timeout).
 */
describe('ServiceAvailability: a service without a consumer on its command queue is refused at once', () => {
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const gatewayUrl = broker.users?.urls.gateway ?? broker.url;
  let amqp: AmqpConnectionManager;
  let rpc: RpcClient;
  let availability: ServiceAvailability;
  let service: Awaited<ReturnType<typeof connect>>;
  const queue = Topology.commandQueue('activation-rules');

  beforeAll(async () => {
    amqp = connectAmqp(gatewayUrl, uniqueName('it-gateway'));
    rpc = new RpcClient(amqp, uniqueName('it-gateway'), 5000, amqpUserOf(gatewayUrl));
    await rpc.waitForConnect();
    availability = new ServiceAvailability(amqp, rpc);
    availability.onApplicationBootstrap();
    // A stand-in for the activation-rules service: its command queue, answering every command with ok.
    service = await connect(broker.url);
  });

  afterAll(async () => {
    availability.onModuleDestroy();
    await rpc.close();
    await amqp.close();
    await service.close();
    if (broker.vhost) deleteVhost(broker.vhost);
  });

  const ping = () => rpc.send(PING_RPC['activation-rules'], {});
  const gaugeOf = async (target: string) => (await metricsRegistry.getSingleMetric('downstream_service_up')?.get())?.values.find((v) => v.labels.target === target)?.value;

  it('is down while its command queue does not exist: refused at once with SERVICE_UNAVAILABLE and a retry hint', async () => {
    await availability.refresh();
    expect(availability.of('activation-rules')).toBe('down');
    const startedAt = Date.now();
    const err = (await ping().then(() => undefined, (e: unknown) => e)) as DomainError;
    expect(Date.now() - startedAt).toBeLessThan(200);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe(ErrorCode.ServiceUnavailable);
    expect(err.message).toBe('the activation-rules service is unavailable (no instance is running); retry after 2 s');
    expect(err.details).toEqual({ retryAfterMs: SERVICE_DOWN_RETRY_AFTER_MS });
    expect(await gaugeOf('activation-rules')).toBe(0);
  });

  it('is up while an instance consumes its commands, and its requests are answered', async () => {
    const ch = await service.createChannel();
    await declareBaseTopology(ch);
    await declareCommandQueue(ch, queue);
    const { consumerTag } = await ch.consume(queue, (msg) => {
      if (!msg) return;
      ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify({ ok: true, data: { service: 'activation-rules' } })), { correlationId: msg.properties.correlationId as string });
      ch.ack(msg);
    });
    await availability.refresh();
    expect(availability.of('activation-rules')).toBe('up');
    expect(await gaugeOf('activation-rules')).toBe(1);
    await expect(ping()).resolves.toEqual({ service: 'activation-rules' });

    // The instance stops: its queue stays (durable), with no consumer.
    await ch.cancel(consumerTag);
    await availability.refresh();
    expect(availability.of('activation-rules')).toBe('down');
    await expect(ping()).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });

    // Back before the next round: a service last seen down is asked again before a refusal, so this one goes through.
    await ch.consume(queue, (msg) => {
      if (!msg) return;
      ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify({ ok: true, data: { again: true } })), { correlationId: msg.properties.correlationId as string });
      ch.ack(msg);
    });
    expect(availability.of('activation-rules')).toBe('down');
    await expect(ping()).resolves.toEqual({ again: true });
    expect(availability.of('activation-rules')).toBe('up');
    await ch.close();
  });

  it('the other services are judged by their own queues', async () => {
    await availability.refresh();
    expect(availability.of('channels')).toBe('down');
    const histogram = await metricsRegistry.getSingleMetric('rpc_client_duration_seconds')?.get();
    const refused = histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'rpc_client_duration_seconds_count' && v.labels.command === PING_RPC['activation-rules'] && v.labels.outcome === 'SERVICE_UNAVAILABLE');
    expect(refused?.value).toBeGreaterThanOrEqual(2);
  });
});
