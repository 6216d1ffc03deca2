import { Injectable, Logger } from '@nestjs/common';
import {
  ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, Actor, ChannelSnapshot, DomainError, PatientCreatedData, PendingStaffingView,
} from '@wellifiy/contracts';
import { errorReason } from '@wellifiy/messaging';
import { counter } from '@wellifiy/ops';
import { ActivationRulesConfig } from '../config/activation-rules.config';
import { ActivationRulesRepository } from '../rules/activation-rules.repository';
import { RULE_OFF } from '../rules/activation-rules.service';
import { ActivationDecision, evaluateActivationRule, IntakeOutcome, TeamMemberState } from '../rules/rule-evaluation';
import { requireSettingsManager } from '../rules/settings-permission';
import { TeamMembersRepository } from '../team-members/team-members.repository';
import { ChannelsClient } from './channels.client';
import { IntakeDecisionsRepository } from './intake-decisions.repository';

/** Who the channels service records as having activated (audit trail, `createdBy`). */
export const INTAKE_ACTOR_ID = 'activation-rules';

const decisions = counter('activation_decisions_total', 'Patient intake decisions, per channel type and outcome', ['type', 'outcome']);
const failures = counter('activation_failures_total', 'Patient intake attempts that failed and will be retried or dead-lettered', ['type', 'code']);

export interface PatientIntakeInput {
  orgId: string;
  eventId: string;
  patient: PatientCreatedData;
  /** 1 for the first delivery; the transport retries up to `maxAttempts` then dead-letters. */
  attempt: number;
  correlationId?: string;
}

/** Thrown (and so retried with backoff) while the allocation clinician may still be on their way to our projection. */
export class ClinicianNotYetKnownError extends Error {
  constructor(teamMemberId: string) {
    super(`allocation clinician ${teamMemberId} is not known yet (their team-member.created has not been processed)`);
    this.name = 'ClinicianNotYetKnownError';
  }
}

export class IntakeFailedError extends Error {
  constructor(reasons: string[]) {
    super(`patient intake failed: ${reasons.join('; ')}`);
    this.name = 'IntakeFailedError';
  }
}

/**
 * Patient intake (DESIGN §2 rule 10): on patient.created, for care_team and service_team separately,
 * decide with the organisation's rule and activate through the channels service. Each (patient, type) is
 * decided once and recorded, so duplicates are cheap no-ops and later rule changes do not reach back.
 * Anything that may succeed later (channels does not know the patient yet, a timeout) is thrown, so the
 * transport retries the event with backoff and finally dead-letters it with the reason.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger('PatientIntake');

  constructor(
    private readonly decisions: IntakeDecisionsRepository,
    private readonly rules: ActivationRulesRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly channels: ChannelsClient,
    private readonly config: ActivationRulesConfig,
  ) {}

  async patientCreated(input: PatientIntakeInput): Promise<void> {
    const reasons: string[] = [];
    // Both types are tried on every attempt: one failing does not hold the other back.
    for (const type of ACTIVATABLE_CHANNEL_TYPES) {
      try {
        await this.intake(type, input);
      } catch (err) {
        failures.inc({ type, code: err instanceof DomainError ? err.code : err instanceof ClinicianNotYetKnownError ? 'CLINICIAN_NOT_YET_KNOWN' : 'ERROR' });
        this.logger.warn(
          `intake not settled org=${input.orgId} patient=${input.patient.patientId} type=${type} event=${input.eventId} attempt=${input.attempt}: ${errorReason(err)}`,
        );
        reasons.push(`${type}: ${errorReason(err)}`);
      }
    }
    if (reasons.length) throw new IntakeFailedError(reasons);
  }

  /** A care_team / service_team channel now exists (e.g. activated by hand): the patient no longer needs staffing. */
  async channelCreated(orgId: string, channel: ChannelSnapshot): Promise<void> {
    if (!channel.patientId || !isActivatable(channel.type)) return;
    await this.decisions.resolvePending(orgId, channel.patientId, channel.type, channel.id);
  }

  async pending(actor: Actor, type?: ActivatableChannelType): Promise<PendingStaffingView[]> {
    requireSettingsManager(actor);
    const list = await this.decisions.listPending(actor.orgId, type);
    return list.map((d) => ({ patientId: d.patientId, type: d.type, decidedAt: d.decidedAt.toISOString() }));
  }

  private async intake(type: ActivatableChannelType, input: PatientIntakeInput): Promise<void> {
    const { orgId, patient } = input;
    if (await this.decisions.find(orgId, patient.patientId, type)) return; // decided before: a duplicate or a retry
    const decision = await this.decide(orgId, type, patient);
    switch (decision.outcome) {
      case 'skipped_rule_off':
        return this.record(type, input, decision, { teamMemberIds: [], channelId: null });
      case 'needs_staffing':
        if (decision.clinicianNotYetKnown && input.attempt < this.config.EVENT_MAX_ATTEMPTS) {
          throw new ClinicianNotYetKnownError(patient.allocationClinicianId ?? '');
        }
        return this.record(type, input, decision, { teamMemberIds: [], channelId: null });
      case 'activated': {
        const { channel } = await this.channels.activateForPatient(
          { orgId, patientId: patient.patientId, type, teamMemberIds: decision.teamMemberIds, actorId: INTAKE_ACTOR_ID, reason: `activation_rule_${decision.staffedBy}` },
          input.correlationId,
        );
        const staffed = channel.members.filter((m) => m.kind === 'team_member').map((m) => m.userId);
        return this.record(type, input, decision, { teamMemberIds: staffed, channelId: channel.id });
      }
    }
  }

  private async decide(orgId: string, type: ActivatableChannelType, patient: PatientCreatedData): Promise<ActivationDecision> {
    const rule = (await this.rules.find(orgId, type)) ?? RULE_OFF;
    const clinicianId = patient.allocationClinicianId ?? null;
    const candidates = [...new Set([...rule.teamMemberIds, ...(clinicianId ? [clinicianId] : [])])];
    const statuses = rule.autoActivate ? await this.teamMembers.statusesOf(orgId, candidates) : [];
    const teamMembers = new Map<string, TeamMemberState>(statuses.map((s) => [s.teamMemberId, s.archived ? 'archived' : 'active']));
    return evaluateActivationRule({ rule, patient: { allocationClinicianId: clinicianId }, teamMembers });
  }

  private async record(
    type: ActivatableChannelType,
    input: PatientIntakeInput,
    decision: ActivationDecision,
    result: { teamMemberIds: string[]; channelId: string | null },
  ): Promise<void> {
    const outcome: IntakeOutcome = decision.outcome;
    const inserted = await this.decisions.insertIfAbsent({
      orgId: input.orgId,
      patientId: input.patient.patientId,
      type,
      outcome,
      teamMemberIds: result.teamMemberIds,
      channelId: result.channelId,
      eventId: input.eventId,
      decidedAt: new Date(),
      pending: outcome === 'needs_staffing',
    });
    if (!inserted) return; // a concurrent duplicate recorded it first; the channel is the same one
    decisions.inc({ type, outcome });
    // Ids only: no names or other patient details in logs.
    const staffedBy = decision.outcome === 'activated' ? ` staffedBy=${decision.staffedBy}` : '';
    this.logger.log(
      `intake decision org=${input.orgId} patient=${input.patient.patientId} type=${type} outcome=${outcome}${staffedBy}` +
        ` teamMembers=[${result.teamMemberIds.join(',')}] channel=${result.channelId ?? '-'} event=${input.eventId}`,
    );
  }
}

function isActivatable(type: string): type is ActivatableChannelType {
  return (ACTIVATABLE_CHANNEL_TYPES as readonly string[]).includes(type);
}
