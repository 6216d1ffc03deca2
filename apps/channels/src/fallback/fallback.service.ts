import { Injectable, Logger } from '@nestjs/common';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, Events, Rpc } from '@wellifiy/contracts';
import { OutboxEntry, outboxEntry, RpcClient } from '@wellifiy/messaging';
import { Channel, toSnapshot } from '../channels/channel.mapper';
import { isMember, PATIENT_LINKED_TYPES, TEAM_REQUIRED_TYPES, withMembers } from '../channels/channel-policy';
import { ChannelsRepository } from '../channels/channels.repository';
import { DirectoryService } from '../directory/directory.service';

export const FALLBACK_ACTOR = 'system:archived-member-fallback';
const BATCH = 200;
const PARALLEL = 8;

export interface FallbackReport {
  channels: number;
  staffedByClinician: number;
  staffedByRule: number;
  flagged: number;
}

type Staffing = { ids: string[]; reason: 'fallback_allocation_clinician' | 'fallback_activation_rule' } | null;

/**
 * DESIGN §2 rule 5: an archived team member leaves every channel; a channel that would be left without a
 * team member gets the patient's allocation clinician, else the activation rule's assigned team members
 * for its type, else it is flagged `needsStaffing` (managers are told through channel.updated). Runs in
 * batches until no channel holds the archived member, so a replay finds nothing to do.
 */
@Injectable()
export class FallbackService {
  private readonly logger = new Logger('ArchivedMemberFallback');

  constructor(
    private readonly repo: ChannelsRepository,
    private readonly directory: DirectoryService,
    private readonly rpc: RpcClient,
  ) {}

  async run(orgId: string, teamMemberId: string, correlationId?: string): Promise<FallbackReport> {
    const report: FallbackReport = { channels: 0, staffedByClinician: 0, staffedByRule: 0, flagged: 0 };
    const ctx = new StaffingLookup(orgId, teamMemberId, this.directory, this.rpc);
    for (;;) {
      const page = await this.repo.pageWithMember(orgId, teamMemberId, BATCH);
      if (!page.length) break;
      let progressed = false;
      for (let i = 0; i < page.length; i += PARALLEL) {
        const results = await Promise.all(page.slice(i, i + PARALLEL).map((c) => this.release(c, teamMemberId, ctx, correlationId)));
        for (const r of results) {
          if (r === 'unchanged') continue;
          progressed = true;
          report.channels++;
          if (r === 'fallback_allocation_clinician') report.staffedByClinician++;
          if (r === 'fallback_activation_rule') report.staffedByRule++;
          if (r === 'flagged') report.flagged++;
        }
      }
      if (!progressed) throw new Error(`no progress releasing ${teamMemberId} from ${page.length} channel(s)`);
    }
    this.logger.log(`released team member from ${report.channels} channel(s): ${JSON.stringify(report)}`);
    return report;
  }

  private async release(
    channel: Channel,
    teamMemberId: string,
    ctx: StaffingLookup,
    correlationId?: string,
  ): Promise<'unchanged' | 'removed' | 'flagged' | 'fallback_allocation_clinician' | 'fallback_activation_rule'> {
    const staffing = needsFallback(channel, teamMemberId) ? await ctx.staffingFor(channel) : null;
    let outcome: 'unchanged' | 'removed' | 'flagged' | 'fallback_allocation_clinician' | 'fallback_activation_rule' = 'unchanged';
    await this.repo.update(channel.orgId, channel._id, (c) => {
      if (!isMember(c, teamMemberId)) return null;
      const now = new Date();
      const remaining = c.members.filter((m) => m.userId !== teamMemberId);
      const leftWithoutTeam = TEAM_REQUIRED_TYPES.has(c.type) && !remaining.some((m) => m.kind === 'team_member');
      const added = leftWithoutTeam && staffing ? staffing.ids.filter((id) => !remaining.some((m) => m.userId === id)) : [];
      const members = [...remaining, ...added.map((userId) => ({ userId, kind: 'team_member' as const, joinedAt: now, addedBy: FALLBACK_ACTOR }))];
      const flag = leftWithoutTeam && !added.length;
      const next = { ...withMembers(c, members, now), needsStaffing: flag ? true : c.needsStaffing };
      const snapshot = toSnapshot(next);
      const opts = { orgId: c.orgId, correlationId };
      const events: OutboxEntry[] = [
        outboxEntry(Events.ChannelMemberRemoved, { channel: snapshot, userId: teamMemberId, actorId: FALLBACK_ACTOR, reason: 'team_member_archived' }, opts),
        ...added.map((userId) =>
          outboxEntry(Events.ChannelMemberAdded, { channel: snapshot, userId, userKind: 'team_member', actorId: FALLBACK_ACTOR, reason: staffing?.reason }, opts),
        ),
      ];
      if (flag) events.push(outboxEntry(Events.ChannelUpdated, { channel: snapshot, actorId: FALLBACK_ACTOR, reason: 'needs_staffing' }, opts));
      outcome = flag ? 'flagged' : added.length && staffing ? staffing.reason : 'removed';
      return { next, events };
    });
    return outcome;
  }
}

function needsFallback(c: Channel, teamMemberId: string): boolean {
  return TEAM_REQUIRED_TYPES.has(c.type) && !c.members.some((m) => m.kind === 'team_member' && m.userId !== teamMemberId);
}

/** Who can staff a channel, looked up once per patient / per channel type within one run. */
class StaffingLookup {
  private readonly clinicians = new Map<string, Promise<string | null>>();
  private readonly ruleMembers = new Map<ActivatableChannelType, Promise<string[]>>();
  private readonly active = new Map<string, Promise<boolean>>();

  constructor(
    private readonly orgId: string,
    private readonly archivedId: string,
    private readonly directory: DirectoryService,
    private readonly rpc: RpcClient,
  ) {}

  async staffingFor(c: Channel): Promise<Staffing> {
    if (PATIENT_LINKED_TYPES.has(c.type) && c.patientId) {
      const clinician = await this.clinicianOf(c.patientId);
      if (clinician) return { ids: [clinician], reason: 'fallback_allocation_clinician' };
    }
    if ((ACTIVATABLE_CHANNEL_TYPES as readonly string[]).includes(c.type)) {
      const assigned = await this.assigned(c.type as ActivatableChannelType);
      if (assigned.length) return { ids: assigned, reason: 'fallback_activation_rule' };
    }
    return null;
  }

  private clinicianOf(patientId: string): Promise<string | null> {
    let p = this.clinicians.get(patientId);
    if (!p) {
      p = (async () => {
        const id = (await this.directory.findPatient(this.orgId, patientId))?.allocationClinicianId ?? null;
        return id && id !== this.archivedId && (await this.isActive(id)) ? id : null;
      })();
      this.clinicians.set(patientId, p);
    }
    return p;
  }

  private assigned(type: ActivatableChannelType): Promise<string[]> {
    let p = this.ruleMembers.get(type);
    if (!p) {
      p = this.rpc
        .send(Rpc.ActivationRulesAssigned, { orgId: this.orgId, type })
        .then(async ({ teamMemberIds }) => {
          const ok = await Promise.all(teamMemberIds.map(async (id) => id !== this.archivedId && (await this.isActive(id))));
          return teamMemberIds.filter((_, i) => ok[i]);
        });
      this.ruleMembers.set(type, p);
    }
    return p;
  }

  private isActive(teamMemberId: string): Promise<boolean> {
    let p = this.active.get(teamMemberId);
    if (!p) {
      p = this.directory.findTeamMember(this.orgId, teamMemberId).then((t) => !!t && !t.archived);
      this.active.set(teamMemberId, p);
    }
    return p;
  }
}
