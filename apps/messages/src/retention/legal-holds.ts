import { Injectable } from '@nestjs/common';
import { MembershipRepository } from '../membership/membership.repository';
import { LegalHold, RetentionRepository } from './retention.repository';

/** What the organisation's active legal holds cover: channels held directly, and every channel of a held patient. */
export interface HeldScope {
  holds: LegalHold[];
  channelIds: Set<string>;
  patientIds: Set<string>;
}

/** One rule for the sweep and for erasure: a patient hold covers the patient's channels, a channel hold its channel. */
@Injectable()
export class LegalHolds {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly membership: MembershipRepository,
  ) {}

  async scope(orgId: string): Promise<HeldScope> {
    const holds = await this.repo.activeHolds(orgId);
    const channelIds = new Set(holds.flatMap((h) => (h.channelId ? [h.channelId] : [])));
    const patientIds = new Set(holds.flatMap((h) => (h.patientId ? [h.patientId] : [])));
    for (const patientId of patientIds) for (const id of await this.membership.channelsOfPatient(orgId, patientId)) channelIds.add(id);
    return { holds, channelIds, patientIds };
  }

  /** An erasure: the free-text reasons of the released holds on the patient or their channels go (ids and times stay). */
  async dropReasonsOf(orgId: string, patientId: string): Promise<number> {
    return this.repo.dropHoldReasons(orgId, patientId, await this.membership.channelsOfPatient(orgId, patientId));
  }

  /** The holds that stop erasing the patient: on the patient, or on one of their channels. */
  async holdingPatient(orgId: string, patientId: string): Promise<LegalHold[]> {
    const holds = await this.repo.activeHolds(orgId);
    if (!holds.length) return [];
    const channels = new Set(await this.membership.channelsOfPatient(orgId, patientId));
    return holds.filter((h) => h.patientId === patientId || (h.channelId !== null && channels.has(h.channelId)));
  }
}
