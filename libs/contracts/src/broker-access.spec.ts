import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AMQP_PROCESSES, allowedCallers, brokerPermissions, carriesActor } from './broker-access';
import { Rpc, RPC_REQUEST_CLASSES, RpcName } from './rpc';
import { ActorRequest, SERVICES } from './rpc/common';
import { Topology } from './topology';

describe('Services trust any actor in an RPC: who may send each command, and each broker user\'s permissions', () => {
  it.each(Object.values(Rpc) as RpcName[])('%s: accepted from the gateway only exactly when its request carries an actor', (name) => {
    const hasActor = new RPC_REQUEST_CLASSES[name]() instanceof ActorRequest;
    expect(carriesActor(name)).toBe(hasActor);
    if (hasActor) expect(allowedCallers(name)).toEqual(['gateway']);
  });

  it('service-to-service commands name the services that send them', () => {
    expect(allowedCallers(Rpc.ChannelsMembershipCheck)).toEqual(['messages', 'notifications']);
    expect(allowedCallers(Rpc.ChannelsActivateForPatient)).toEqual(['activation-rules']);
    expect(allowedCallers(Rpc.ActivationRulesAssigned)).toEqual(['channels']);
  });

  const matches = (regex: string, name: string): boolean => new RegExp(regex).test(name);

  it.each(SERVICES)('the %s user may declare, bind and consume its own queues and no other service\'s', (service) => {
    const p = brokerPermissions(service);
    const own = [Topology.eventQueue(service), Topology.retryQueue(Topology.eventQueue(service)), Topology.commandQueue(service)];
    for (const q of own) for (const regex of [p.configure, p.write, p.read]) expect(matches(regex, q)).toBe(true);
    for (const other of SERVICES.filter((s) => s !== service)) {
      for (const q of [Topology.eventQueue(other), Topology.commandQueue(other)]) {
        expect(matches(p.configure, q)).toBe(false);
        expect(matches(p.read, q)).toBe(false);
      }
    }
    expect(matches(p.read, Topology.gatewayRealtimeQueue(randomUUID()))).toBe(false);
  });

  it('every user may declare and publish to the shared exchanges and send through the default exchange; only the gateway has realtime queues', () => {
    for (const process of AMQP_PROCESSES) {
      const p = brokerPermissions(process);
      for (const exchange of [Topology.eventsExchange, Topology.deadLetterExchange]) {
        expect(matches(p.configure, exchange)).toBe(true);
        expect(matches(p.write, exchange)).toBe(true);
      }
      expect(matches(p.write, 'amq.default')).toBe(true);
      expect(matches(p.configure, 'amq.default')).toBe(false);
      expect(matches(p.configure, Topology.gatewayRealtimeQueue(randomUUID()))).toBe(process === 'gateway');
    }
    // anchored: no prefix or suffix tricks
    expect(matches(brokerPermissions('channels').configure, `x${Topology.commandQueue('channels')}`)).toBe(false);
    expect(matches(brokerPermissions('gateway').configure, `${Topology.gatewayRealtimeQueue(randomUUID())}.more`)).toBe(false);
  });
});
