import { KeyRing } from '@wellifiy/crypto';
import { EventEnvelope } from '@wellifiy/contracts';
import { EventSeal, SealedEventError } from './event-seal';

const ring = KeyRing.parse(`k1:${KeyRing.generateKey()},k2:${KeyRing.generateKey()}`, 'k2');
const seal = new EventSeal(ring);

const envelope = (type: string, data: unknown, over: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: 'evt_1', type, source: 'messages', time: '2026-02-01T10:00:00.000Z', orgId: 'org_1', data, ...over,
});

describe('EventSeal', () => {
  it('item 3: a content event goes on the wire with its data sealed (no plaintext), and opens back to the same envelope', () => {
    const e = envelope('message.created', { message: { id: 'msg_1', body: 'my test results came back positive' } });

    const wire = seal.toWire(e);

    expect(wire).not.toHaveProperty('data');
    expect(wire.sealed).toMatchObject({ keyId: 'k2', ciphertext: expect.any(String) });
    expect(JSON.stringify(wire)).not.toContain('positive');
    expect(seal.open(JSON.parse(JSON.stringify(wire)))).toEqual(e);
  });

  it('a channel event with a free-text reason is sealed; ids-only events stay in the clear', () => {
    expect(seal.toWire(envelope('channel.member.removed', { reason: 'patient asked for another clinician' })).sealed).toBeDefined();
    const deleted = envelope('message.deleted', { channelId: 'ch_1', messageId: 'msg_1', seq: 3 });
    expect(seal.toWire(deleted)).toEqual(deleted);
  });

  it('an already sealed envelope is not sealed twice', () => {
    const wire = seal.toWire(envelope('message.created', { message: { id: 'm' } }));
    expect(seal.toWire(wire)).toBe(wire);
  });

  it.each([
    ['another organisation', { orgId: 'org_2' }],
    ['another event id', { id: 'evt_2' }],
    ['another type', { type: 'message.updated' }],
  ])('a sealed payload moved onto %s does not open', (_label, over) => {
    const wire = seal.toWire(envelope('message.created', { message: { id: 'm' } }));
    expect(() => seal.open({ ...wire, ...over })).toThrow(SealedEventError);
  });

  it('a payload sealed with a key the ring lacks does not open, naming no key material', () => {
    const other = new EventSeal(KeyRing.parse(`k9:${KeyRing.generateKey()}`, 'k9'));
    const wire = other.toWire(envelope('message.created', { message: { id: 'm' } }));
    expect(() => seal.open(wire)).toThrow(/sealed payload does not open: no key k9/);
  });
});
