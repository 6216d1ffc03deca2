import mongoose, { Connection } from 'mongoose';
import { Events } from '@wellifiy/contracts';
import { KeyHierarchy, KeyRing } from '@wellifiy/crypto';
import { connectAmqp, EventPublisher } from '@wellifiy/messaging';
import { createIsolatedVhost, deleteVhost, expectEventually, testInfra, uniqueName } from '@wellifiy/testing';
import { KeyCacheInvalidation } from './key-cache-invalidation';
import { MongoPatientKeyStore } from './patient-key.repository';
import { PATIENT_KEY_MODEL, PatientKeySchema } from './patient-key.schema';

/*
 * Two messages processes (each its own broker connection, key cache and KeyCacheInvalidation) over one patient-key
 * store in the real database. The patient is erased through one of them: the other has the key cached and would keep
 * opening the patient's content for its cache's lifetime — until `patient.erased` reaches its own queue.
 */
describe('KeyCacheInvalidation: an erasure in one process drops the cached key in the others', () => {
  const broker = createIsolatedVhost(testInfra.amqpUrl);
  const dbName = uniqueName('it-key-cache');
  const ring = KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1');
  const patient = { orgId: 'org_it', patientId: 'pt_erased' };
  const aad = 'message-body:msg_it_1';
  let db: Connection;
  const processes: { keys: KeyHierarchy; invalidation: KeyCacheInvalidation; close(): Promise<void> }[] = [];

  async function startProcess(name: string): Promise<(typeof processes)[number]> {
    const amqp = connectAmqp(broker.url, uniqueName(name));
    const keys = new KeyHierarchy(ring, new MongoPatientKeyStore(db.model(PATIENT_KEY_MODEL, PatientKeySchema) as never), { cacheMs: 10 * 60_000 });
    const invalidation = new KeyCacheInvalidation(amqp, keys);
    await invalidation.onApplicationBootstrap();
    const p = { keys, invalidation, close: async () => { await invalidation.onApplicationShutdown(); await amqp.close(); } };
    processes.push(p);
    return p;
  }

  beforeAll(async () => {
    db = await mongoose.createConnection(testInfra.mongoUrl, { dbName, retryWrites: false }).asPromise();
    await db.model(PATIENT_KEY_MODEL, PatientKeySchema).init();
  });

  afterAll(async () => {
    for (const p of processes) await p.close().catch(() => undefined);
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    if (broker.vhost) deleteVhost(broker.vhost);
  });

  it('process B opens the patient\'s content from its cache after A erased the patient, and not once patient.erased arrived', async () => {
    const a = await startProcess('it-messages-a');
    const b = await startProcess('it-messages-b');
    const box = await a.keys.seal('a body only the patient key opens', aad, patient);
    expect(await b.keys.openText(box, aad)).toBe('a body only the patient key opens'); // B caches the key

    await a.keys.erase(patient);
    await expect(a.keys.openText(box, aad)).rejects.toThrow();
    // The window the event closes: the key is gone from the store, B still holds it.
    expect(await b.keys.openText(box, aad)).toBe('a body only the patient key opens');

    const amqp = connectAmqp(broker.url, uniqueName('it-erasure-publisher'));
    const publisher = new EventPublisher(amqp, 'messages');
    try {
      await publisher.publish(Events.PatientErased, { patientId: patient.patientId, actorId: 'tm_officer', erasedAt: new Date().toISOString() }, { orgId: patient.orgId });
      await expectEventually(async () => expect(b.keys.openText(box, aad)).rejects.toThrow(), { timeoutMs: 10_000 });
    } finally {
      await publisher.close();
      await amqp.close();
    }
  });
});
