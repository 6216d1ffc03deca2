import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';

export interface MongoModuleOptions {
  url: string;
  dbName: string;
}

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
