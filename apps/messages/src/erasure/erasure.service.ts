import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, Events, PatientErasedData, PatientErasure } from '@wellifiy/contracts';
import { KeyHierarchy } from '@wellifiy/crypto';
import { LegalHolds } from '../retention/legal-holds';
import { RetentionRepository } from '../retention/retention.repository';
import { requireOfficer } from '../retention/retention.service';

/**
 * Erasure of a patient by crypto-shredding: their patient key is destroyed, so everything sealed under it — what
 * they wrote anywhere, and all content of the channels linked to them — no longer opens, in the database and in
 * every backup. Refused while a legal hold covers the patient or one of their channels.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly keys: KeyHierarchy,
    private readonly holds: LegalHolds,
    private readonly repo: RetentionRepository,
  ) {}

  async erase({ actor, patientId }: { actor: Actor; patientId: string; reason: string }): Promise<PatientErasure> {
    requireOfficer(actor);
    const holding = await this.holds.holdingPatient(actor.orgId, patientId);
    if (holding.length) {
      throw new DomainError(ErrorCode.UnderLegalHold, `patient ${patientId} is under legal hold and cannot be erased`, { holdIds: holding.map((h) => h.id) });
    }
    const at = new Date();
    const erasedAt = at.toISOString();
    // The entry first (ids and time only, never the reason), with `patient.erased` in its outbox: an erasure is never
    // done without its record and its announcement; a retried one records and announces again (consumers are
    // idempotent). The events are published once the key is destroyed, so a replica that drops its cached key on
    // the event cannot read the still-live key back from the store.
    let destroyed!: (value: boolean) => void;
    let failed!: (err: unknown) => void;
    const keyGone = new Promise<boolean>((resolve, reject) => { destroyed = resolve; failed = reject; });
    await this.repo.log(
      { orgId: actor.orgId, action: 'patient.erased', actorId: actor.userId, patientId, at },
      undefined,
      [{ type: Events.PatientErased, data: { patientId, actorId: actor.userId, erasedAt } satisfies PatientErasedData }],
      { publishAfter: keyGone },
    );
    try {
      const keyDestroyed = await this.keys.erase({ orgId: actor.orgId, patientId }, at);
      // The reasons of earlier (released) holds about the patient may name them: gone too (a retry drops none twice).
      await this.holds.dropReasonsOf(actor.orgId, patientId);
      destroyed(keyDestroyed);
      return { patientId, erasedAt, keyDestroyed };
    } catch (err) {
      failed(err);
      throw err;
    }
  }
}
