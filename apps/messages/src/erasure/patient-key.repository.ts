import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PatientKeyStore, PatientRef, SealedBox, StoredPatientKey } from '@wellifiy/crypto';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { PATIENT_KEY_MODEL, PatientKeyDoc, patientKeyDocId } from './patient-key.schema';

/** The patient key store of the KeyHierarchy, in this service's database (collection `patient_keys`). */
@Injectable()
export class MongoPatientKeyStore extends PatientKeyStore {
  constructor(@InjectModel(PATIENT_KEY_MODEL) private readonly keys: Model<PatientKeyDoc>) {
    super();
  }

  async find({ orgId, patientId }: PatientRef): Promise<StoredPatientKey | null> {
    const doc = await this.keys.findOne({ _id: patientKeyDocId(orgId, patientId), orgId }).lean<PatientKeyDoc>();
    return doc ? toStored(doc) : null;
  }

  async create(key: StoredPatientKey): Promise<StoredPatientKey> {
    const _id = patientKeyDocId(key.orgId, key.patientId);
    const doc: PatientKeyDoc = { _id, orgId: key.orgId, patientId: key.patientId, keyId: key.keyId, wrapped: key.wrapped, createdAt: key.createdAt, erasedAt: null };
    try {
      // An insert guarded by the unique _id: two first messages at once create one key, the loser reads it.
      await this.keys.collection.insertOne(doc as never);
      return toStored(doc);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // An erased key is replaced by a new generation (content written after the erasure); a live one is kept.
      await this.keys.updateOne({ _id, keyId: null }, { $set: { keyId: key.keyId, wrapped: key.wrapped, createdAt: key.createdAt } });
    }
    const stored = await this.find(key);
    if (!stored) throw new Error(`patient key of ${key.patientId} vanished while being created`);
    return stored;
  }

  async erase({ orgId, patientId }: PatientRef, at: Date): Promise<boolean> {
    const res = await this.keys.updateOne({ _id: patientKeyDocId(orgId, patientId), orgId, keyId: { $ne: null } }, { $set: { keyId: null, wrapped: null, erasedAt: at } });
    return res.modifiedCount === 1;
  }

  async *live(): AsyncIterable<StoredPatientKey> {
    for await (const doc of this.keys.find({ keyId: { $ne: null } }).lean<PatientKeyDoc>().cursor()) yield toStored(doc as PatientKeyDoc);
  }

  async replaceWrapping({ orgId, patientId }: PatientRef, keyId: string, wrapped: SealedBox): Promise<void> {
    await this.keys.updateOne({ _id: patientKeyDocId(orgId, patientId), orgId, keyId }, { $set: { wrapped } });
  }
}

function toStored(doc: PatientKeyDoc): StoredPatientKey {
  return { orgId: doc.orgId, patientId: doc.patientId, keyId: doc.keyId, wrapped: doc.wrapped, createdAt: doc.createdAt, erasedAt: doc.erasedAt };
}
