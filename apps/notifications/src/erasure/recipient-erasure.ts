import { Controller, Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Model } from 'mongoose';
import { Events, PatientErasedEvent } from '@wellifiy/contracts';
import { RepeatSafe } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { RECIPIENT_MODEL, RecipientDoc } from '../recipients/recipient.schema';

/**
 * What this service keeps of a patient that an erasure removes: their email (names are not kept here). The
 * recipient document stays with `erasedAt`, so a late `patient.updated` cannot bring the email back; with no email
 * no digest is sent to them.
 */
@Injectable()
export class RecipientErasureRepository {
  constructor(@InjectModel(RECIPIENT_MODEL) private readonly recipients: Model<RecipientDoc>) {}

  /** Idempotent; upserted, so an erasure heard before `patient.created` leaves a tombstone the creation keeps. */
  async erase(orgId: string, userId: string, at: Date): Promise<boolean> {
    try {
      const res = await this.recipients.updateOne(
        { orgId, userId, erasedAt: null },
        { $set: { email: null, erasedAt: at, updatedAt: at }, $setOnInsert: { kind: 'patient', archived: false } },
        { upsert: true },
      );
      return res.modifiedCount + res.upsertedCount > 0;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false; // already erased
      throw err;
    }
  }
}

@Controller()
export class RecipientErasureHandler {
  private readonly logger = new Logger('RecipientErasure');

  constructor(private readonly repo: RecipientErasureRepository) {}

  @EventPattern(Events.PatientErased, RepeatSafe)
  async erased(@Payload() e: PatientErasedEvent): Promise<void> {
    const changed = await this.repo.erase(e.orgId, e.data.patientId, new Date(e.data.erasedAt));
    this.logger.log(`erasure ${e.id}: recipient ${changed ? 'email removed' : 'already erased'}`);
  }
}
