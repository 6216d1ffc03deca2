import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { AUDIT_ENTRY_MODEL, AuditEntryDoc } from '../audit/audit.schema';
import { PATIENT_MODEL, PatientDoc } from '../directory/directory.schema';

export interface ErasedCounts {
  /** 1 when the patient's directory projection lost its names, email and avatar (0: already erased or unknown). */
  profile: number;
  /** Audit entries of the patient whose free-text reason was dropped. */
  reasons: number;
}

/**
 * What this service keeps of a patient that an erasure removes: their names, email, display name and avatar in the
 * directory projection (the document stays, with `erasedAt`, so a late `patient.updated` cannot bring them back),
 * and the free-text reasons of the audit entries about them (the entries keep ids and times).
 */
@Injectable()
export class PatientErasureRepository {
  constructor(
    @InjectModel(PATIENT_MODEL) private readonly patients: Model<PatientDoc>,
    @InjectModel(AUDIT_ENTRY_MODEL) private readonly audit: Model<AuditEntryDoc>,
  ) {}

  async erase(orgId: string, patientId: string, at: Date): Promise<ErasedCounts> {
    // Idempotent: a repeat finds nothing left to change. The placeholders are empty strings, not personal data.
    // Upserted: an erasure heard before the patient's `patient.created` leaves a tombstone that the insert-only
    // creation then leaves alone.
    let profile = 0;
    try {
      const res = await this.patients.updateOne(
        { orgId, patientId, erasedAt: null },
        { $set: { firstName: '', lastName: '', email: null, displayName: null, avatarMediaId: null, allocationClinicianId: null, erasedAt: at, updatedAt: at } },
        { upsert: true },
      );
      profile = res.modifiedCount + res.upsertedCount;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // already erased: the unique (orgId, patientId) document exists
    }
    // serves: { orgId, patientId, at, _id } index (every entry of the patient's channels and of erasures/holds of them)
    const byPatient = await this.audit.updateMany({ orgId, patientId, reason: { $ne: null } }, { $set: { reason: null } });
    // serves: { orgId, actorId, at, _id } index (what the patient did themselves, e.g. leaving a group with a reason)
    const byActor = await this.audit.updateMany({ orgId, actorId: patientId, reason: { $ne: null } }, { $set: { reason: null } });
    return { profile, reasons: byPatient.modifiedCount + byActor.modifiedCount };
  }
}
