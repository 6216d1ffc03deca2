import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  Actor, CreateChannelRequest, CreateChannelResult, DomainError, ErrorCode, Events, hasPermission, Permission, UserKind,
} from '@wellifiy/contracts';
import { outboxEntry } from '@wellifiy/messaging';
import { newId } from '@wellifiy/persistence';
import { toSnapshot, toView } from '../channels/channel.mapper';
import { newChannel } from '../channels/channel-policy';
import { ChannelsRepository } from '../channels/channels.repository';
import { ChannelsConfig } from '../config/channels.config';
import { archivedRefusal, DirectoryService } from '../directory/directory.service';

export type CreateInput = Omit<CreateChannelRequest, 'actor'> & { actor: Actor; correlationId?: string };

/** The same set of team members always maps to the same DM (DESIGN §2). */
export function dmKey(memberIds: string[]): string {
  const sorted = [...new Set(memberIds)].sort();
  return `dm:${createHash('sha256').update(sorted.join('\n')).digest('hex')}`;
}

/**
 * Team-member-created channels: `group` (patients + team members, messaging:manage only), `staff` (team
 * members about one patient, who never sees it) and `dm` (team members; same members → same DM).
 */
@Injectable()
export class CreationService {
  constructor(
    private readonly repo: ChannelsRepository,
    private readonly directory: DirectoryService,
    private readonly config: ChannelsConfig,
  ) {}

  async create({ actor, type, name, patientId, memberIds, correlationId }: CreateInput): Promise<CreateChannelResult> {
    if (actor.kind !== 'team_member') throw new DomainError(ErrorCode.Forbidden, 'only team members can create channels');
    if (type === 'group' && !hasPermission(actor, Permission.MessagingManage)) {
      throw new DomainError(ErrorCode.Forbidden, 'creating group channels needs the messaging:manage permission');
    }
    if (type === 'staff' && !patientId) throw invalid('patientId', 'a staff channel is about one patient: patientId is required');
    if (type !== 'staff' && patientId) throw invalid('patientId', `a ${type} channel is not linked to a patient`);
    if (type === 'group' && !name?.trim()) throw invalid('name', 'a group channel needs a name');
    if (type === 'staff' && patientId && !(await this.directory.findPatient(actor.orgId, patientId))) {
      throw new DomainError(ErrorCode.PatientNotFound, `patient ${patientId} not found`);
    }

    const others = [...new Set(memberIds)].filter((id) => id !== actor.userId);
    const limit = this.config.CHANNEL_MEMBERS_MAX;
    if (others.length + 1 > limit) throw invalid('memberIds', `at most ${limit} members, the creator included`);
    const kinds = await this.resolve(actor.orgId, others);
    const patients = others.filter((id) => kinds.get(id) === 'patient');
    if (type !== 'group' && patients.length) {
      throw new DomainError(ErrorCode.PatientNotAllowed, `a patient can never be a member of a ${type} channel`, { userIds: patients });
    }
    if (type === 'group' && !patients.length) throw invalid('memberIds', 'a group channel needs at least one patient');

    const members = [{ userId: actor.userId, kind: 'team_member' as const }, ...others.map((id) => ({ userId: id, kind: kinds.get(id) as UserKind }))];
    const uniqueKey = type === 'dm' ? dmKey(members.map((m) => m.userId)) : undefined;
    if (uniqueKey) {
      const existing = await this.repo.findByUniqueKey(actor.orgId, uniqueKey);
      if (existing) return { channel: toView(existing, actor.userId), created: false };
    }
    const channel = newChannel(
      { orgId: actor.orgId, type, patientId: patientId ?? null, name: name?.trim() || null, members, createdBy: actor.userId, now: new Date(), uniqueKey },
      newId('ch'),
    );
    const event = outboxEntry(Events.ChannelCreated, { channel: toSnapshot(channel), actorId: actor.userId }, { orgId: actor.orgId, correlationId });
    const inserted = await this.repo.insert(channel, [event]);
    if (inserted) return { channel: toView(inserted, actor.userId), created: true };
    // Only a DM can collide (same members created at the same moment): the other one stands.
    const winner = uniqueKey ? await this.repo.findByUniqueKey(actor.orgId, uniqueKey) : null;
    if (!winner) throw new DomainError(ErrorCode.Conflict, 'the channel could not be created; retry');
    return { channel: toView(winner, actor.userId), created: false };
  }

  /** Each id as an active team member or a patient of the organisation; anything else is refused by name. */
  private async resolve(orgId: string, ids: string[]): Promise<Map<string, UserKind>> {
    const [team, patients] = await Promise.all([this.directory.findTeamMembers(orgId, ids), this.directory.findPatients(orgId, ids)]);
    const kinds = new Map<string, UserKind>();
    for (const p of patients) kinds.set(p.patientId, 'patient');
    for (const t of team) if (!t.archived) kinds.set(t.teamMemberId, 'team_member');
    const archived = team.filter((t) => t.archived && !kinds.has(t.teamMemberId)).map((t) => t.teamMemberId);
    if (archived.length) throw archivedRefusal(archived);
    const unknown = ids.filter((id) => !kinds.has(id));
    if (unknown.length) {
      throw new DomainError(ErrorCode.UnknownUser, `not active team members or patients of this organisation: ${unknown.join(', ')}`, { userIds: unknown });
    }
    return kinds;
  }
}

function invalid(field: string, problem: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${field}: ${problem}`, [{ field, problems: [problem] }]);
}
