import { Injectable, Logger } from '@nestjs/common';
import { ActivateForPatientResult, ActivatableChannelType, DomainError, ErrorCode, Events } from '@wellifiy/contracts';
import { outboxEntry } from '@wellifiy/messaging';
import { DirectoryService } from '../directory/directory.service';
import { toSnapshot, toView } from '../channels/channel.mapper';
import { ChannelsRepository } from '../channels/channels.repository';
import { newPatientChannel, patientChannelKey } from '../channels/channels.service';

export interface ActivateForPatientInput {
  orgId: string;
  patientId: string;
  type: ActivatableChannelType;
  teamMemberIds: string[];
  /** Who decided, e.g. `activation-rules` (audit trail, `createdBy`, `addedBy`). */
  actorId: string;
  reason?: string;
  correlationId?: string;
}

/**
 * System activation of a patient's care_team / service_team channel (patient intake by the activation
 * rules). Idempotent: the one channel per patient and type is returned unchanged when it exists already,
 * so a replayed or duplicated intake never creates a second channel nor changes the first.
 */
@Injectable()
export class ActivationService {
  private readonly logger = new Logger('ChannelActivation');

  constructor(
    private readonly repo: ChannelsRepository,
    private readonly directory: DirectoryService,
  ) {}

  async activateForPatient(input: ActivateForPatientInput): Promise<ActivateForPatientResult> {
    const { orgId, patientId, type, actorId, reason, correlationId } = input;
    // The intake retries on this code: our directory may not have processed patient.created yet.
    if (!(await this.directory.findPatient(orgId, patientId))) throw new DomainError(ErrorCode.PatientNotFound, `patient ${patientId} not found`);
    const uniqueKey = patientChannelKey(type, patientId);
    const existing = await this.repo.findByUniqueKey(orgId, uniqueKey);
    if (existing) return { channel: toView(existing, actorId), created: false };

    const teamMemberIds = await this.activeTeamMembers(orgId, input.teamMemberIds);
    if (!teamMemberIds.length) {
      throw new DomainError(ErrorCode.Conflict, `none of the chosen team members is an active team member of the organisation`, {
        teamMemberIds: input.teamMemberIds,
      });
    }
    const channel = newPatientChannel({ orgId, type, patientId, teamMemberIds, createdBy: actorId, now: new Date() });
    const event = outboxEntry(Events.ChannelCreated, { channel: toSnapshot(channel), actorId, ...(reason ? { reason } : {}) }, { orgId, correlationId });
    const inserted = await this.repo.insert(channel, [event]);
    if (inserted) {
      this.logger.log(`activated ${type} channel ${channel._id} for patient ${patientId} in ${orgId} by ${actorId}`);
      return { channel: toView(inserted, actorId), created: true };
    }
    // A concurrent activation (manual, or a duplicate intake) won: it stands.
    const winner = await this.repo.findByUniqueKey(orgId, uniqueKey);
    if (!winner) throw new DomainError(ErrorCode.Internal, 'channel activation raced and vanished');
    return { channel: toView(winner, actorId), created: false };
  }

  /** The chosen ids the directory knows as non-archived team members, deduplicated, in the given order. */
  private async activeTeamMembers(orgId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = await Promise.all(unique.map((id) => this.directory.findTeamMember(orgId, id)));
    return unique.filter((_, i) => found[i] !== null && !found[i]?.archived);
  }
}
