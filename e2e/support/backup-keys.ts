import mongoose from 'mongoose';
import { KeyHierarchy, KeyRing, PatientKeyStore, PatientRef, SealedBox, StoredPatientKey } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS } from '@wellifiy/testing';

/** The messages service's patient keys straight from its database: what a backup holds. */
class RawPatientKeys extends PatientKeyStore {
  constructor(private readonly db: mongoose.mongo.Db) {
    super();
  }
  async find({ orgId, patientId }: PatientRef): Promise<StoredPatientKey | null> {
    const doc = await this.db.collection('patient_keys').findOne({ orgId, patientId });
    return doc ? { orgId, patientId, keyId: doc.keyId, wrapped: doc.wrapped, createdAt: doc.createdAt, erasedAt: doc.erasedAt } : null;
  }
  create(): Promise<StoredPatientKey> {
    throw new Error('the test only reads');
  }
  erase(): Promise<boolean> {
    throw new Error('the test only reads');
  }
  async *live(): AsyncIterable<StoredPatientKey> {
    await Promise.resolve();
    yield* [];
  }
  replaceWrapping(_ref: PatientRef, _keyId: string, _wrapped: SealedBox): Promise<void> {
    throw new Error('the test only reads');
  }
}

/**
 * The keys someone holding a backup of the messages database and the system's key ring has: what erasure must
 * leave unable to open a patient's content.
 */
export function keysOfBackup(messagesDb: mongoose.mongo.Db): KeyHierarchy {
  return new KeyHierarchy(KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID), new RawPatientKeys(messagesDb), { cacheMs: 0 });
}
