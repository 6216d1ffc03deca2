import amqp, { ConsumeMessage } from 'amqplib';
import { e2eAmqpUrl } from './system';

export interface DeadLetterTap {
  /** Every message dead-lettered since the tap opened, as the broker delivered it. */
  readonly messages: ConsumeMessage[];
  /** Why `queue`'s consumer dead-lettered the event with this message id (undefined: it did not). */
  reason(eventId: string, queue: string): string | undefined;
  /** Original queue → reason, for every consumer that dead-lettered the event. */
  reasons(eventId: string): Record<string, string>;
}

const originalQueue = (m: ConsumeMessage): string => String(m.properties.headers?.['x-original-queue']);
const reasonOf = (m: ConsumeMessage): string => String(m.properties.headers?.['x-dead-letter-reason']);

/**
 * Our own copy of everything dead-lettered while the enclosing describe block runs (the DLX is a fanout exchange):
 * an exclusive queue bound in its beforeAll, gone with the connection in its afterAll.
 */
export function tapDeadLetters(): DeadLetterTap {
  const messages: ConsumeMessage[] = [];
  let conn: amqp.ChannelModel | undefined;

  beforeAll(async () => {
    conn = await amqp.connect(e2eAmqpUrl());
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, 'wellifiy.dead-letter', '');
    await ch.consume(queue, (m) => m && messages.push(m), { noAck: true });
  });

  afterAll(async () => {
    await conn?.close();
  });

  const of = (eventId: string): ConsumeMessage[] => messages.filter((m) => m.properties.messageId === eventId);
  return {
    messages,
    reason: (eventId, queue) => {
      const m = of(eventId).find((d) => originalQueue(d) === queue);
      return m ? reasonOf(m) : undefined;
    },
    reasons: (eventId) => Object.fromEntries(of(eventId).map((m) => [originalQueue(m), reasonOf(m)])),
  };
}
