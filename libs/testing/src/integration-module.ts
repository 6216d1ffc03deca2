import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { getConnectionToken, ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import { Test, TestingModule } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { testInfra, uniqueName } from './infra';

/**
 * The database module the services boot with: `MongoModule` of @wellifiy/persistence. Passed in rather than
 * imported, because persistence's own tests use this library and an import back would be a dependency cycle.
 */
export interface DatabaseModule {
  forRoot(opts: { url: string; dbName: string }): DynamicModule;
}

export interface IntegrationModuleOptions {
  database: DatabaseModule;
  /** Registered with `MongooseModule.forFeature`. */
  models?: ModelDefinition[];
  imports?: (Type | DynamicModule | Promise<DynamicModule> | ForwardReference)[];
  providers?: Provider[];
  /** Start of the fresh database's name (default `it`). */
  dbPrefix?: string;
  /** `false`: compile only, and leave the lifecycle hooks (a scheduler, a worker) for the test to start. */
  init?: boolean;
}

export interface IntegrationModule {
  moduleRef: TestingModule;
  /** The module's own connection, to this suite's database. */
  db: Connection;
  dbName: string;
  /** Drops this suite's database and closes the module. */
  close(): Promise<void>;
}

/**
 * A Nest testing module on the real MongoDB-compatible server (MONGO_URL), in a database of its own that
 * `close()` drops. Every model's indexes are built before it returns: a test relying on a unique index
 * must not race mongoose's background index build.
 */
export async function integrationModule(opts: IntegrationModuleOptions): Promise<IntegrationModule> {
  const dbName = uniqueName(opts.dbPrefix ?? 'it');
  const moduleRef = await Test.createTestingModule({
    imports: [
      opts.database.forRoot({ url: testInfra.mongoUrl, dbName }),
      ...(opts.models?.length ? [MongooseModule.forFeature(opts.models)] : []),
      ...(opts.imports ?? []),
    ],
    providers: opts.providers ?? [],
  }).compile();
  const db = moduleRef.get<Connection>(getConnectionToken());
  const close = async (): Promise<void> => {
    await db.dropDatabase().catch(() => undefined);
    await moduleRef.close();
  };
  try {
    if (opts.init !== false) await moduleRef.init();
    await Promise.all(Object.values(db.models).map((m) => m.init()));
  } catch (err) {
    await close();
    throw err;
  }
  return { moduleRef, db, dbName, close };
}
