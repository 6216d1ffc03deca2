import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Events, PatientErasedEvent, Topology } from '@wellifiy/contracts';
import { KeyHierarchy } from '@wellifiy/crypto';
import { AMQP_CONNECTION, EventConsumer } from '@wellifiy/messaging';

/**
 * Every replica of this service caches opened patient keys for a few seconds. The `patient.erased` event reaches
 * each process on a queue of its own (exclusive, gone with the process), and each drops the erased patient's key
 * at once: after an erasure elsewhere a process can open that patient's content only for the event's delivery
 * latency, not for its cache's lifetime. Dropping a key that is not cached is a no-op, so redeliveries are harmless.
 */
@Injectable()
export class KeyCacheInvalidation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyCacheInvalidation');
  private consumer?: EventConsumer;

  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly keys: KeyHierarchy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer({
      connection: this.connection,
      queue: Topology.serviceInstanceQueue('messages', randomUUID()),
      routingKeys: [Events.PatientErased],
      kind: 'instance',
      prefetch: 16,
      maxAttempts: 1,
      canHandle: (type) => type === Events.PatientErased,
      handle: (e) => {
        const { patientId } = (e as PatientErasedEvent).data;
        this.keys.forget({ orgId: e.orgId, patientId });
        this.logger.debug(`dropped the cached key of an erased patient (event ${e.id})`);
        return Promise.resolve();
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }
}
