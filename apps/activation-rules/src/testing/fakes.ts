import { ActivatableChannelType, ActivateForPatientRequest, ActivateForPatientResult, DomainError, ErrorCode } from '@wellifiy/contracts';
import { ChannelsClient } from '../intake/channels.client';
import { IntakeDecision, IntakeDecisionsRepository } from '../intake/intake-decisions.repository';
import { ActivationRule, ActivationRuleChange, ActivationRulesRepository, lastChangeOf } from '../rules/activation-rules.repository';
import { TeamMembersRepository, TeamMemberStatus } from '../team-members/team-members.repository';

/** In-memory fakes of this service's repositories and ports, for unit tests. Every lookup filters by organisation. */
export class FakeTeamMembersRepository extends TeamMembersRepository {
  readonly rows: { orgId: string; teamMemberId: string; archived: boolean }[] = [];

  add(orgId: string, teamMemberId: string, archived = false): this {
    this.rows.push({ orgId, teamMemberId, archived });
    return this;
  }
  async insertIfAbsent(orgId: string, teamMemberId: string): Promise<void> {
    if (!this.rows.some((r) => r.orgId === orgId && r.teamMemberId === teamMemberId)) this.add(orgId, teamMemberId);
  }
  async markArchived(orgId: string, teamMemberId: string): Promise<boolean> {
    const r = this.rows.find((x) => x.orgId === orgId && x.teamMemberId === teamMemberId);
    if (r) r.archived = true;
    return !!r;
  }
  async activeAmong(orgId: string, ids: string[]): Promise<string[]> {
    return ids.filter((id) => this.rows.some((r) => r.orgId === orgId && r.teamMemberId === id && !r.archived));
  }
  async statusesOf(orgId: string, ids: string[]): Promise<TeamMemberStatus[]> {
    return this.rows.filter((r) => r.orgId === orgId && ids.includes(r.teamMemberId)).map(({ teamMemberId, archived }) => ({ teamMemberId, archived }));
  }
}

export class FakeActivationRulesRepository extends ActivationRulesRepository {
  readonly rules: ActivationRule[] = [];
  readonly changes: ActivationRuleChange[] = [];
  /** Runs before a save is applied: lets a test play a concurrent writer. */
  beforeSave?: () => void;
  /** Simulates a crash between the rule write and the audit append. */
  failAppendOnce = false;

  async find(orgId: string, type: ActivatableChannelType): Promise<ActivationRule | null> {
    const r = this.rules.find((x) => x.orgId === orgId && x.type === type);
    return r ? structuredClone(r) : null;
  }
  async save(rule: ActivationRule): Promise<boolean> {
    this.beforeSave?.();
    const i = this.rules.findIndex((x) => x.orgId === rule.orgId && x.type === rule.type);
    const storedVersion = i >= 0 ? this.rules[i].version : 0;
    if (storedVersion !== rule.version - 1) return false;
    if (i >= 0) this.rules[i] = structuredClone(rule);
    else this.rules.push(structuredClone(rule));
    if (this.failAppendOnce) {
      this.failAppendOnce = false;
      throw new Error('crashed before appending the audit entry');
    }
    await this.appendChange(lastChangeOf(rule));
    return true;
  }
  async appendChange(change: ActivationRuleChange): Promise<void> {
    if (!this.changes.some((c) => c._id === change._id)) this.changes.push(structuredClone(change));
  }
  async history(orgId: string, type: ActivatableChannelType, limit: number): Promise<ActivationRuleChange[]> {
    return this.changes
      .filter((c) => c.orgId === orgId && c.type === type)
      .sort((a, b) => b.version - a.version)
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }
}

export class FakeIntakeDecisionsRepository extends IntakeDecisionsRepository {
  readonly decisions: IntakeDecision[] = [];

  async find(orgId: string, patientId: string, type: ActivatableChannelType): Promise<IntakeDecision | null> {
    const d = this.decisions.find((x) => x.orgId === orgId && x.patientId === patientId && x.type === type);
    return d ? structuredClone(d) : null;
  }
  async insertIfAbsent(decision: IntakeDecision): Promise<boolean> {
    if (await this.find(decision.orgId, decision.patientId, decision.type)) return false;
    this.decisions.push(structuredClone(decision));
    return true;
  }
  async resolvePending(orgId: string, patientId: string, type: ActivatableChannelType, channelId: string): Promise<void> {
    const d = this.decisions.find((x) => x.orgId === orgId && x.patientId === patientId && x.type === type && x.pending);
    if (d) Object.assign(d, { pending: false, channelId });
  }
  async listPending(orgId: string, type?: ActivatableChannelType): Promise<IntakeDecision[]> {
    return this.decisions
      .filter((d) => d.orgId === orgId && d.pending && (!type || d.type === type))
      .sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime())
      .map((d) => structuredClone(d));
  }
}

/** Plays the channels service: one channel per (org, patient, type); knows the patients it was told about. */
export class FakeChannelsClient extends ChannelsClient {
  readonly calls: ActivateForPatientRequest[] = [];
  readonly knownPatients = new Set<string>();
  readonly channels = new Map<string, ActivateForPatientResult['channel']>();
  /** Next calls fail with this error (e.g. a timeout), once each. */
  readonly failures: Error[] = [];

  async activateForPatient(req: ActivateForPatientRequest): Promise<ActivateForPatientResult> {
    this.calls.push(structuredClone(req));
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (!this.knownPatients.has(`${req.orgId}:${req.patientId}`)) throw new DomainError(ErrorCode.PatientNotFound, `patient ${req.patientId} not found`);
    const key = `${req.orgId}:${req.type}:${req.patientId}`;
    const existing = this.channels.get(key);
    if (existing) return { channel: existing, created: false };
    const now = new Date().toISOString();
    const channel = {
      id: `ch_${this.channels.size + 1}`, orgId: req.orgId, type: req.type, patientId: req.patientId, name: null, needsStaffing: false,
      members: [{ userId: req.patientId, kind: 'patient' as const }, ...req.teamMemberIds.map((userId) => ({ userId, kind: 'team_member' as const }))],
      archived: false, createdAt: now, updatedAt: now,
    };
    this.channels.set(key, channel);
    return { channel, created: true };
  }
}
