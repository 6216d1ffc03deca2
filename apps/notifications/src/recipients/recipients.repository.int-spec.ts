import type { Connection } from 'mongoose';
import { KeyRing } from '@wellifiy/crypto';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, uniqueName } from '@wellifiy/testing';
import { RECIPIENT_MODEL, RecipientSchema } from './recipient.schema';
import { MongoRecipientsRepository, RecipientsRepository } from './recipients.repository';

describe('MongoRecipientsRepository (FerretDB)', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  let repo: RecipientsRepository;
  let connection: Connection;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [{ name: RECIPIENT_MODEL, schema: RecipientSchema }],
      providers: [
        { provide: KeyRing, useValue: KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID) },
        { provide: RecipientsRepository, useClass: MongoRecipientsRepository },
      ],
    });
    repo = suite.moduleRef.get(RecipientsRepository);
    connection = suite.db;
  });

  afterAll(() => suite?.close());

  it('item 3, plaintext PHI: a recipient’s email rests sealed in MongoDB, bound to the recipient, and reads back for the digest', async () => {
    const userId = uniqueName('pat');
    const email = `${uniqueName('ada')}@example.com`;
    const changed = `${uniqueName('ada-new')}@example.com`;
    await repo.insertIfAbsent(org, userId, 'patient', email);
    expect((await repo.find(org, userId))?.email).toBe(email);

    expect(await repo.update(org, userId, { email: changed })).toBe(true);
    const raw = await connection.collection('recipients').findOne({ orgId: org, userId });
    expect(JSON.stringify(raw)).not.toMatch(/@example\.com/);
    expect(raw?.email).toMatchObject({ keyId: LOCAL_ENCRYPTION_ACTIVE_KEY_ID, ciphertext: expect.any(String) });
    expect(await repo.find(org, userId)).toMatchObject({ userId, kind: 'patient', email: changed, archived: false });

    // Copied onto another recipient, the sealed email does not open.
    const other = uniqueName('pat');
    await repo.insertIfAbsent(org, other, 'patient', null);
    expect((await repo.find(org, other))?.email).toBeNull();
    await connection.collection('recipients').updateOne({ orgId: org, userId: other }, { $set: { email: raw?.email } });
    await expect(repo.find(org, other)).rejects.toThrow(/authentication failed/);
  });
});
