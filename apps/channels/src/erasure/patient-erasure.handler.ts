import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Events, PatientErasedEvent } from '@wellifiy/contracts';
import { RepeatSafe } from '@wellifiy/messaging';
import { PatientErasureRepository } from './patient-erasure.repository';

/** `patient.erased` (the messages service's erasure outbox): drops the patient's names, email and audit reasons here. */
@Controller()
export class PatientErasureHandler {
  private readonly logger = new Logger('PatientErasure');

  constructor(private readonly repo: PatientErasureRepository) {}

  @EventPattern(Events.PatientErased, RepeatSafe)
  async erased(@Payload() e: PatientErasedEvent): Promise<void> {
    const done = await this.repo.erase(e.orgId, e.data.patientId, new Date(e.data.erasedAt));
    this.logger.log(`erasure ${e.id}: profile ${done.profile ? 'removed' : 'already gone'}, ${done.reasons} audit reason(s) dropped`);
  }
}
