import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';

export interface MongoModuleOptions {
  url: string;
  dbName: string;
  /** Connections (= commands in flight) per process; more wait in the driver. Default 10. */
  maxPoolSize?: number;
}

/**
 * Small on purpose: FerretDB v1 on PostgreSQL deadlocks when as many updates run at once as its own pool
 * to PostgreSQL has connections (each holds one while waiting for a second). Ten per service keeps a whole
 * system well below that, and is plenty for MongoDB at this machine's scale.
 */
export const DEFAULT_MONGO_POOL_SIZE = 10;

/** The service's own database. Only repositories touch it. */
@Module({})
export class MongoModule {
  static forRoot(opts: MongoModuleOptions): DynamicModule {
    return {
      module: MongoModule,
      imports: [
        MongooseModule.forRoot(opts.url, {
          dbName: opts.dbName,
          autoIndex: true,
          ignoreUndefined: true,
          serverSelectionTimeoutMS: 10_000,
          maxPoolSize: opts.maxPoolSize ?? DEFAULT_MONGO_POOL_SIZE,
          // FerretDB and MongoDB both accept this; retryable writes need a replica set, which dev lacks.
          retryWrites: false,
          // Command monitoring feeds the db_commands_total / db_command_seconds metrics (names and timings only).
          monitorCommands: true,
        }),
      ],
      exports: [MongooseModule],
    };
  }
}
