import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { MessageStore } from '../messages/message.store';

/** Rows of `migrations`: one per one-time data change that ran. */
interface MigrationRecord {
  _id: string;
  at: Date;
  changed: number;
}

const BATCH = 500;

/**
 * Gives messages stored before timeline buckets existed their bucket; once (its row in `migrations` says it ran).
 * Started in the background at boot: sends and reads work meanwhile (a missing bucket only hides old messages
 * from the timeline until it is set).
 */
@Injectable()
export class BucketBackfillMigration implements OnApplicationBootstrap {
  static readonly id = 'messages.bucket';
  private readonly logger = new Logger('BucketBackfill');

  constructor(
    private readonly store: MessageStore,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  onApplicationBootstrap(): void {
    void this.run().then(
      (n) => n && this.logger.log(`gave ${n} message(s) their timeline bucket`),
      (err: unknown) => this.logger.warn(`timeline bucket backfill failed (retried at the next start): ${(err as Error).message}`),
    );
  }

  /** Returns how many messages it changed (0 once it has run). */
  async run(): Promise<number> {
    const migrations = this.connection.collection<MigrationRecord>('migrations');
    if (await migrations.findOne({ _id: BucketBackfillMigration.id })) return 0;
    let changed = 0;
    for (let docs = await this.store.withoutBucket(BATCH); docs.length; docs = await this.store.withoutBucket(BATCH)) {
      for (const d of docs) await this.store.setBucket(d._id, d.seq);
      changed += docs.length;
    }
    await migrations.updateOne({ _id: BucketBackfillMigration.id }, { $set: { at: new Date(), changed } }, { upsert: true });
    return changed;
  }
}
