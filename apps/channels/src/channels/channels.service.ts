import { Injectable } from '@nestjs/common';
import {
  channelTypeVisibleTo,
  ActivatableChannelType, Actor, ChannelView, DomainError, ErrorCode, Events, ListChannelsRequest, MembershipCheckResult,
} from '@wellifiy/contracts';
import { outboxEntry } from '@wellifiy/messaging';
import { newId } from '@wellifiy/persistence';
import { DirectoryService } from '../directory/directory.service';
import { Channel, toSnapshot, toView } from './channel.mapper';
import { ChannelMemberDoc } from './channel.schema';
import { ChannelsRepository } from './channels.repository';

/** Channel types a patient may never see (DESIGN §2 rule 2). */

export interface ActivateInput {
  actor: Actor;
  patientId: string;
  type: ActivatableChannelType;
  correlationId?: string;
}

@Injectable()
export class ChannelsService {
  constructor(
    private readonly repo: ChannelsRepository,
    private readonly directory: DirectoryService,
  ) {}

  /**
   * Manual activation of a patient's care-team or service-team channel by a team member. The channel
   * starts with the patient, the activating team member and the patient's allocation clinician.
   * Repeating it as a member returns the channel; a non-member is told it is already active.
   */
  async activate({ actor, patientId, type, correlationId }: ActivateInput): Promise<ChannelView> {
    if (actor.kind !== 'team_member') throw new DomainError(ErrorCode.Forbidden, 'only team members can activate patient channels');
    const patient = await this.directory.findPatient(actor.orgId, patientId);
    if (!patient) throw new DomainError(ErrorCode.PatientNotFound, `patient ${patientId} not found`);
    const uniqueKey = patientChannelKey(type, patientId);

    const existing = await this.repo.findByUniqueKey(actor.orgId, uniqueKey);
    if (existing) return this.alreadyActive(existing, actor);

    const teamMemberIds = [actor.userId];
    const clinicianId = patient.allocationClinicianId;
    if (clinicianId && clinicianId !== actor.userId) {
      const clinician = await this.directory.findTeamMember(actor.orgId, clinicianId);
      if (clinician && !clinician.archived) teamMemberIds.push(clinicianId);
    }
    const channel = newPatientChannel({ orgId: actor.orgId, type, patientId, teamMemberIds, createdBy: actor.userId, now: new Date() });
    const event = outboxEntry(Events.ChannelCreated, { channel: toSnapshot(channel), actorId: actor.userId }, { orgId: actor.orgId, correlationId });
    const inserted = await this.repo.insert(channel, [event]);
    if (inserted) return toView(inserted, actor.userId);
    // Lost a race with a concurrent activation: the other one stands.
    const winner = await this.repo.findByUniqueKey(actor.orgId, uniqueKey);
    if (!winner) throw new DomainError(ErrorCode.Internal, 'channel activation raced and vanished');
    return this.alreadyActive(winner, actor);
  }

  async list(actor: Actor, q: Omit<ListChannelsRequest, 'actor'>): Promise<ChannelView[]> {
    const channels = await this.repo.listForMember(actor.orgId, actor.userId, { type: q.type, patientId: q.patientId });
    return channels
      .filter((c) => this.visibleTo(c, actor))
      .map((c) => toView(c, actor.userId))
      .filter((v) => q.archived === undefined || v.archived === q.archived);
  }

  async get(actor: Actor, channelId: string): Promise<ChannelView> {
    return toView(await this.requireVisible(actor, channelId), actor.userId);
  }

  async membershipIds(actor: Actor): Promise<string[]> {
    if (actor.kind === 'team_member') return this.repo.listIdsForMember(actor.orgId, actor.userId);
    const channels = await this.repo.listForMember(actor.orgId, actor.userId, {});
    return channels.filter((c) => this.visibleTo(c, actor)).map((c) => c._id);
  }

  async membershipCheck(orgId: string, channelId: string): Promise<MembershipCheckResult> {
    const c = await this.repo.findById(orgId, channelId);
    return { channel: c ? toSnapshot(c) : null };
  }

  /** Non-members and other organisations get the same answer as for a channel that does not exist. */
  private async requireVisible(actor: Actor, channelId: string): Promise<Channel> {
    const c = await this.repo.findForMember(actor.orgId, channelId, actor.userId);
    if (!c || !this.visibleTo(c, actor)) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    return c;
  }

  private visibleTo(c: Channel, actor: Actor): boolean {
    return channelTypeVisibleTo(actor.kind, c.type);
  }

  private alreadyActive(c: Channel, actor: Actor): ChannelView {
    if (c.memberIds.includes(actor.userId)) return toView(c, actor.userId);
    throw new DomainError(ErrorCode.ChannelAlreadyActive, `the patient's ${c.type} channel is already active; a member can add you`);
  }
}

/** One care_team / service_team channel per patient: the unique key that enforces it. */
export function patientChannelKey(type: ActivatableChannelType, patientId: string): string {
  return `${type}:${patientId}`;
}

export interface NewPatientChannelInput {
  orgId: string;
  type: ActivatableChannelType;
  patientId: string;
  teamMemberIds: string[];
  createdBy: string;
  now: Date;
}

/** A new patient channel (the patient + the given team members), shared by manual and rule-driven activation. */
export function newPatientChannel({ orgId, type, patientId, teamMemberIds, createdBy, now }: NewPatientChannelInput): Channel {
  const member = (userId: string, kind: ChannelMemberDoc['kind']): ChannelMemberDoc => ({ userId, kind, joinedAt: now, addedBy: createdBy });
  const members = [member(patientId, 'patient'), ...teamMemberIds.map((id) => member(id, 'team_member'))];
  return {
    _id: newId('ch'),
    orgId,
    type,
    patientId,
    name: null,
    uniqueKey: patientChannelKey(type, patientId),
    members,
    memberIds: members.map((m) => m.userId),
    archivedBy: [],
    needsStaffing: false,
    createdBy,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}
