import { Schema } from 'mongoose';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType } from '@wellifiy/contracts';
import { IntakeOutcome } from '../rules/rule-evaluation';

const INTAKE_OUTCOMES: IntakeOutcome[] = ['activated', 'needs_staffing', 'skipped_rule_off'];

/**
 * What the intake decided for one patient and channel type, once: a duplicate patient.created (same event
 * id or a new one) finds it and does nothing, and a rule changed later does not apply to this patient.
 */
export interface IntakeDecisionDoc {
  orgId: string;
  patientId: string;
  type: ActivatableChannelType;
  outcome: IntakeOutcome;
  /** The team members the channel was activated with (ids only). */
  teamMemberIds: string[];
  channelId: string | null;
  /** The patient.created event that led to it. */
  eventId: string;
  decidedAt: Date;
  /** needs_staffing and no care_team / service_team channel seen since: listed for admins. */
  pending: boolean;
}

export const IntakeDecisionSchema = new Schema<IntakeDecisionDoc>(
  {
    orgId: { type: String, required: true },
    patientId: { type: String, required: true },
    type: { type: String, enum: ACTIVATABLE_CHANNEL_TYPES, required: true },
    outcome: { type: String, enum: INTAKE_OUTCOMES, required: true },
    teamMemberIds: { type: [String], default: [] },
    channelId: { type: String, default: null },
    eventId: { type: String, required: true },
    decidedAt: { type: Date, required: true },
    pending: { type: Boolean, required: true },
  },
  { collection: 'intake_decisions', versionKey: false },
);
// serves: "already decided?" for every patient.created, and resolving a pending patient on channel.created
IntakeDecisionSchema.index({ orgId: 1, patientId: 1, type: 1 }, { unique: true });
// serves: the admins' list of patients needing staff (orgId + pending, oldest first)
IntakeDecisionSchema.index({ orgId: 1, pending: 1, decidedAt: 1 });

export const INTAKE_DECISION_MODEL = 'IntakeDecision';
