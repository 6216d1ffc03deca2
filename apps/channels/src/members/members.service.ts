import { Injectable } from '@nestjs/common';
import {
  Actor, ChannelMemberView, ChannelView, DomainError, ErrorCode, Events, hasPermission, Permission, UserKind,
} from '@wellifiy/contracts';
import { OutboxEntry, outboxEntry } from '@wellifiy/messaging';
import { Channel, toSnapshot, toView } from '../channels/channel.mapper';
import {
  bump, isMember, PATIENT_LINKED_TYPES, requireVisibleMember, STAFF_ONLY_TYPES, TEAM_REQUIRED_TYPES, teamMemberCount, withMembers,
} from '../channels/channel-policy';
import { ChannelsRepository } from '../channels/channels.repository';
import { ChannelsConfig } from '../config/channels.config';
import { archivedRefusal, DirectoryService } from '../directory/directory.service';
import { memberView } from './member-views';

export interface MemberChange {
  actor: Actor;
  channelId: string;
  userId: string;
  reason?: string;
  correlationId?: string;
}

/** Membership of existing channels: who is in it, adding, removing, leaving, and per-user archive. */
@Injectable()
export class MembersService {
  constructor(
    private readonly repo: ChannelsRepository,
    private readonly directory: DirectoryService,
    private readonly config: ChannelsConfig,
  ) {}

  async list(actor: Actor, channelId: string): Promise<ChannelMemberView[]> {
    const c = requireVisibleMember(await this.repo.findById(actor.orgId, channelId), actor, channelId);
    const ids = (kind: UserKind): string[] => c.members.filter((m) => m.kind === kind).map((m) => m.userId);
    const [patients, team] = await Promise.all([
      this.directory.findPatients(actor.orgId, ids('patient')),
      this.directory.findTeamMembers(actor.orgId, ids('team_member')),
    ]);
    const pMap = new Map(patients.map((p) => [p.patientId, p]));
    const tMap = new Map(team.map((t) => [t.teamMemberId, t]));
    return c.members.map((m) => memberView(m, actor, pMap, tMap));
  }

  /**
   * Group participants are managed with messaging:manage (rule 6); team members of a patient channel may
   * add other team members. Patients are never added to staff or dm channels (rule 2), nor as a second
   * patient of a care or service team channel.
   */
  async add({ actor, channelId, userId, reason, correlationId }: MemberChange): Promise<ChannelView> {
    const current = requireVisibleMember(await this.repo.findById(actor.orgId, channelId), actor, channelId);
    if (actor.kind !== 'team_member') throw new DomainError(ErrorCode.Forbidden, 'patients cannot add members');
    if (current.type === 'group' && !hasPermission(actor, Permission.MessagingManage)) {
      throw new DomainError(ErrorCode.Forbidden, 'managing group participants needs the messaging:manage permission');
    }
    if (current.type === 'dm') throw new DomainError(ErrorCode.Conflict, 'the members of a DM are fixed: start a new DM with everyone you need');
    const kind = await this.kindOf(actor.orgId, userId);
    if (kind === 'patient' && current.type !== 'group') {
      throw new DomainError(
        ErrorCode.PatientNotAllowed,
        STAFF_ONLY_TYPES.has(current.type) ? `a patient can never be added to a ${current.type} channel` : `a ${current.type} channel has exactly one patient`,
      );
    }
    const updated = await this.repo.update(actor.orgId, channelId, (c) => {
      if (isMember(c, userId)) throw new DomainError(ErrorCode.AlreadyMember, `${userId} is already a member of this channel`);
      // Checked on the document being written (compare-and-set), so concurrent adds cannot pass the cap together.
      const limit = this.config.CHANNEL_MEMBERS_MAX;
      if (c.members.length >= limit) {
        throw new DomainError(ErrorCode.ChannelMemberLimitReached, `a channel has at most ${limit} members: remove someone before adding ${userId}`, { limit });
      }
      const now = new Date();
      // A team member joining a channel flagged for staffing resolves the flag.
      const next = { ...withMembers(c, [...c.members, { userId, kind, joinedAt: now, addedBy: actor.userId }], now), needsStaffing: c.needsStaffing && kind !== 'team_member' };
      const event = outboxEntry(Events.ChannelMemberAdded, { channel: toSnapshot(next), userId, userKind: kind, actorId: actor.userId, ...(reason ? { reason } : {}) }, { orgId: actor.orgId, correlationId });
      return { next, events: [event] };
    });
    return toView(this.found(updated, channelId), actor.userId);
  }

  /** Removing someone else. Removing yourself is leaving (see `leave`). */
  async remove({ actor, channelId, userId, reason, correlationId }: MemberChange): Promise<ChannelView> {
    if (userId === actor.userId) return toView(await this.leaveChannel(actor, channelId, correlationId), actor.userId);
    const current = requireVisibleMember(await this.repo.findById(actor.orgId, channelId), actor, channelId);
    if (actor.kind !== 'team_member') throw new DomainError(ErrorCode.Forbidden, 'patients cannot remove members');
    if (current.type === 'group' && !hasPermission(actor, Permission.MessagingManage)) {
      throw new DomainError(ErrorCode.Forbidden, 'managing group participants needs the messaging:manage permission');
    }
    if (current.type === 'dm') throw new DomainError(ErrorCode.Forbidden, 'DM members can only leave, not be removed');
    const updated = await this.repo.update(actor.orgId, channelId, (c) => {
      const target = c.members.find((m) => m.userId === userId);
      if (!target) throw new DomainError(ErrorCode.NotAMember, `${userId} is not a member of this channel`);
      if (target.kind === 'patient' && PATIENT_LINKED_TYPES.has(c.type)) {
        throw new DomainError(ErrorCode.PatientNotAllowed, `the patient of a ${c.type} channel cannot be removed from it`);
      }
      this.assertTeamRemains(c, target.kind);
      return this.without(c, userId, actor.userId, reason, correlationId);
    });
    return toView(this.found(updated, channelId), actor.userId);
  }

  /** Team members may leave unless they are the last one (rule 4, 7); patients cannot leave care/service channels. */
  async leave(actor: Actor, channelId: string, correlationId?: string): Promise<{ left: true }> {
    await this.leaveChannel(actor, channelId, correlationId);
    return { left: true };
  }

  private async leaveChannel(actor: Actor, channelId: string, correlationId?: string): Promise<Channel> {
    requireVisibleMember(await this.repo.findById(actor.orgId, channelId), actor, channelId);
    const updated = await this.repo.update(actor.orgId, channelId, (c) => {
      const me = c.members.find((m) => m.userId === actor.userId);
      if (!me) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
      if (me.kind === 'patient' && (c.type === 'care_team' || c.type === 'service_team')) {
        throw new DomainError(ErrorCode.PatientCannotLeave, `patients cannot leave their ${c.type} channel`);
      }
      this.assertTeamRemains(c, me.kind);
      return this.without(c, actor.userId, actor.userId, 'left', correlationId);
    });
    return this.found(updated, channelId);
  }

  /** Per-user archive (rule 8): moves the channel to the user's archived list and pauses their notifications. */
  async setArchived(actor: Actor, channelId: string, archived: boolean, correlationId?: string): Promise<ChannelView> {
    requireVisibleMember(await this.repo.findById(actor.orgId, channelId), actor, channelId);
    const updated = await this.repo.update(actor.orgId, channelId, (c) => {
      if (c.archivedBy.includes(actor.userId) === archived) return null;
      const archivedBy = archived ? [...c.archivedBy, actor.userId] : c.archivedBy.filter((id) => id !== actor.userId);
      const next = bump(c, { archivedBy }, new Date());
      const type = archived ? Events.ChannelArchived : Events.ChannelUnarchived;
      return { next, events: [outboxEntry(type, { channelId, userId: actor.userId }, { orgId: actor.orgId, correlationId })] };
    });
    return toView(this.found(updated, channelId), actor.userId);
  }

  async needingStaff(actor: Actor): Promise<ChannelView[]> {
    if (!hasPermission(actor, Permission.MessagingManage)) throw new DomainError(ErrorCode.Forbidden, 'needs the messaging:manage permission');
    return (await this.repo.listNeedingStaff(actor.orgId)).map((c) => toView(c, actor.userId));
  }

  private async kindOf(orgId: string, userId: string): Promise<UserKind> {
    const [tm, patient] = await Promise.all([this.directory.findTeamMember(orgId, userId), this.directory.findPatient(orgId, userId)]);
    if (tm && !tm.archived) return 'team_member';
    if (patient) return 'patient';
    if (tm) throw archivedRefusal([userId]);
    throw new DomainError(ErrorCode.UnknownUser, `no team member or patient ${userId} in this organisation`, { userIds: [userId] });
  }

  private assertTeamRemains(c: Channel, leavingKind: UserKind): void {
    if (leavingKind === 'team_member' && TEAM_REQUIRED_TYPES.has(c.type) && teamMemberCount(c) <= 1) {
      throw new DomainError(ErrorCode.ChannelLastTeamMember, `a ${c.type} channel must keep at least one team member: add another before leaving`);
    }
  }

  private without(c: Channel, userId: string, actorId: string, reason: string | undefined, correlationId?: string): { next: Channel; events: OutboxEntry[] } {
    const now = new Date();
    const dmKey = c.type === 'dm' ? { uniqueKey: c._id } : {}; // a DM whose members changed no longer stands for its original set
    const next = { ...withMembers(c, c.members.filter((m) => m.userId !== userId), now), ...dmKey };
    const event = outboxEntry(Events.ChannelMemberRemoved, { channel: toSnapshot(next), userId, actorId, ...(reason ? { reason } : {}) }, { orgId: c.orgId, correlationId });
    return { next, events: [event] };
  }

  private found(c: Channel | null, channelId: string): Channel {
    if (!c) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    return c;
  }
}
