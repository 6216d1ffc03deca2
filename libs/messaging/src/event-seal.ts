import { isSealedBox, KeyRing, SealedBox } from '@wellifiy/crypto';
import { EventEnvelope, SEALED_EVENT_TYPES } from '@wellifiy/contracts';

/**
 * An envelope as it travels and rests: either `data` in the clear (ids, counts, flags) or, for the event types of
 * SEALED_EVENT_TYPES, `sealed` — the JSON of `data` sealed with the key ring — and no `data`.
 */
export type WireEnvelope = Omit<EventEnvelope, 'data'> & ({ data: unknown; sealed?: undefined } | { data?: undefined; sealed: SealedBox });

/** The part of an envelope a sealed payload is bound to: a payload moved to another event, type or org does not open. */
export interface EventIdentity {
  id: string;
  type: string;
  orgId: string;
}

/** True when the envelope's payload is sealed (rather than in `data`). */
export function hasSealedPayload(envelope: EventEnvelope | WireEnvelope): envelope is WireEnvelope & { sealed: SealedBox } {
  return (envelope as WireEnvelope).sealed !== undefined;
}

export function eventAad({ id, type, orgId }: EventIdentity): string {
  return `event:${orgId}:${type}:${id}`;
}

export class SealedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedEventError';
  }
}

/**
 * Seals and opens the payloads of content events with the key ring shared by every service. A payload is sealed
 * once, when its event is made (or, for an outbox, written), and opened once per consumer, after which the
 * consumer validates it against its contract like any other. The ring's key id travels in the box, so keys rotate
 * as for data at rest.
 */
export class EventSeal {
  constructor(private readonly ring: KeyRing) {}

  static needsSealing(type: string): boolean {
    return SEALED_EVENT_TYPES.has(type);
  }

  /** The sealed payload of `data` (its JSON, encoded once). */
  sealData(event: EventIdentity, data: unknown): SealedBox {
    return this.ring.encrypt(JSON.stringify(data), eventAad(event));
  }

  /** The envelope to put on the wire: content events sealed (unless they already are), others as they are. */
  toWire(envelope: EventEnvelope | WireEnvelope): WireEnvelope {
    if (hasSealedPayload(envelope) || !EventSeal.needsSealing(envelope.type)) return envelope as WireEnvelope;
    const { data, ...header } = envelope as EventEnvelope;
    return { ...header, sealed: this.sealData(envelope, data) };
  }

  /** The envelope with its payload opened; throws SealedEventError when it does not open (wrong key, context, tampering). */
  open(envelope: WireEnvelope): EventEnvelope {
    if (envelope.sealed === undefined) return envelope as EventEnvelope;
    if (!isSealedBox(envelope.sealed)) throw new SealedEventError('sealed payload is not a sealed box');
    const { sealed, ...header } = envelope;
    let data: unknown;
    try {
      data = JSON.parse(this.ring.decryptText(sealed, eventAad(envelope)));
    } catch (err) {
      throw new SealedEventError(`sealed payload does not open: ${(err as Error).message}`);
    }
    return { ...header, data };
  }

  /** Seals arbitrary bytes kept on the broker by this process (a dead letter whose body is not a sealable envelope). */
  sealBytes(bytes: Buffer, context: string): SealedBox {
    return this.ring.encrypt(bytes, `broker-message:${context}`);
  }

  openBytes(box: SealedBox, context: string): Buffer {
    return this.ring.decrypt(box, `broker-message:${context}`);
  }
}

/**
 * The body to republish when a message is parked on the broker (a retry, a dead letter): what we republish, we
 * seal. An envelope in the clear — an inbound directory event with names, an older publisher's content event —
 * goes back as the same envelope with its data sealed (a retry opens it like any sealed event); an envelope already
 * sealed goes back as it is; anything else (not JSON, no envelope header, a poison command) is sealed whole, as
 * `{ "sealedMessage": <box> }` (open with `openBytes(box, 'dead-letter')`).
 */
export function restingBody(seal: EventSeal, content: Buffer): Buffer {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    body = undefined;
  }
  const e = body as Partial<WireEnvelope> | null | undefined;
  if (e && typeof e === 'object') {
    if (e.sealed !== undefined) return content;
    if (typeof e.id === 'string' && typeof e.type === 'string' && typeof e.orgId === 'string' && 'data' in e) {
      const { data, ...header } = e;
      return Buffer.from(JSON.stringify({ ...header, sealed: seal.sealData(e as EventIdentity, data) }));
    }
  }
  return Buffer.from(JSON.stringify({ sealedMessage: seal.sealBytes(content, 'dead-letter') }));
}
