import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { DEFAULT_MONGO_POOL_SIZE, MongoModule } from './mongo.module';

describe('MongoModule (FerretDB)', () => {
  it('keeps the driver pool small (commands in flight stay below FerretDB’s own pool); more concurrent writes than connections all complete', async () => {
    const dbName = uniqueName('it-pool');
    const moduleRef = await Test.createTestingModule({ imports: [MongoModule.forRoot({ url: testInfra.mongoUrl, dbName })] }).compile();
    await moduleRef.init();
    const connection = moduleRef.get<Connection>(getConnectionToken());
    try {
      const client = connection.getClient();
      expect(client.options.maxPoolSize).toBe(DEFAULT_MONGO_POOL_SIZE);
      expect(DEFAULT_MONGO_POOL_SIZE).toBeLessThanOrEqual(10);
      const seen: string[] = [];
      client.on('commandSucceeded', (e: { commandName: string }) => void seen.push(e.commandName));
      // More concurrent writes than the pool has connections: they queue in the driver and all complete.
      await Promise.all(Array.from({ length: 60 }, (_, i) => connection.collection('t').updateOne({ _id: `d${i}` as never }, { $set: { i } }, { upsert: true })));
      expect(seen.filter((c) => c === 'update')).toHaveLength(60);
    } finally {
      await connection.dropDatabase().catch(() => undefined);
      await moduleRef.close();
    }
  });
});
