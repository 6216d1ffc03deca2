import { Schema } from 'mongoose';
import type { SealedBox } from '@wellifiy/crypto';

/**
 * One key per patient (KeyHierarchy), wrapped by the master key ring. Erasure sets `keyId` and `wrapped` to null
 * and keeps the ids and times: the key is gone, the fact that it was erased is not.
 */
export interface PatientKeyDoc {
  /** `<orgId>:<patientId>` (URI-encoded parts): one key document per patient. */
  _id: string;
  orgId: string;
  patientId: string;
  keyId: string | null;
  wrapped: SealedBox | null;
  createdAt: Date;
  erasedAt: Date | null;
}

export const PatientKeySchema = new Schema<PatientKeyDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    patientId: { type: String, required: true },
    keyId: { type: String, default: null },
    wrapped: { type: Object, default: null },
    createdAt: { type: Date, required: true },
    erasedAt: { type: Date, default: null },
  },
  { collection: 'patient_keys', versionKey: false },
);
// Lookups are by _id (organisation and patient); the rewrap walk reads the live keys by `keyId` presence.

export const PATIENT_KEY_MODEL = 'PatientKey';

export const patientKeyDocId = (orgId: string, patientId: string): string => `${encodeURIComponent(orgId)}:${encodeURIComponent(patientId)}`;
