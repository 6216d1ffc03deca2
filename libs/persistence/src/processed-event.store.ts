import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { IdempotencyStore } from '@wellifiy/messaging';
import { isDuplicateKeyError } from './duplicate-key';

const RETENTION_MS = 14 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

interface ProcessedEventDoc {
  _id: string;
  at: Date;
}

/**
 * Event ids each consumer has handled, in the consuming service's own database. No TTL index
 * (FerretDB has none): old ids are pruned on a timer, long after any redelivery could arrive.
 */
@Injectable()
export class MongoIdempotencyStore implements IdempotencyStore, OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get collection() {
    return this.connection.collection<ProcessedEventDoc>('processed_events');
  }

  async onModuleInit(): Promise<void> {
    // serves: pruning by age
    await this.collection.createIndex({ at: 1 });
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async seen(consumer: string, eventId: string): Promise<boolean> {
    return (await this.collection.countDocuments({ _id: `${consumer}:${eventId}` }, { limit: 1 })) > 0;
  }

  async remember(consumer: string, eventId: string): Promise<void> {
    try {
      await this.collection.insertOne({ _id: `${consumer}:${eventId}`, at: new Date() });
    } catch (err) {
      // Another replica (or a redelivery) recorded it first: that is the outcome we wanted.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async prune(): Promise<void> {
    await this.collection.deleteMany({ at: { $lt: new Date(Date.now() - RETENTION_MS) } });
  }
}
