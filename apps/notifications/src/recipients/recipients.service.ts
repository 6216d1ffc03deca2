import { Injectable } from '@nestjs/common';
import { UserKind } from '@wellifiy/contracts';
import { Recipient, RecipientsRepository } from './recipients.repository';

export class RecipientNotYetKnownError extends Error {
  constructor(userId: string) {
    super(`recipient ${userId} is not known yet (its created event has not been processed)`);
    this.name = 'RecipientNotYetKnownError';
  }
}

/** Contact projection of patients and team members, fed by the patient service and staff directory. */
@Injectable()
export class RecipientsService {
  constructor(private readonly repo: RecipientsRepository) {}

  created(orgId: string, userId: string, kind: UserKind, email: string | undefined): Promise<void> {
    return this.repo.insertIfAbsent(orgId, userId, kind, email ?? null);
  }

  async emailChanged(orgId: string, userId: string, email: string | undefined): Promise<void> {
    if (email === undefined) return; // the update touched other fields
    if (!(await this.repo.update(orgId, userId, { email }))) throw new RecipientNotYetKnownError(userId);
  }

  async archived(orgId: string, userId: string): Promise<void> {
    if (!(await this.repo.update(orgId, userId, { archived: true }))) throw new RecipientNotYetKnownError(userId);
  }

  find(orgId: string, userId: string): Promise<Recipient | null> {
    return this.repo.find(orgId, userId);
  }
}
