import { Schema } from 'mongoose';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType } from '@wellifiy/contracts';

export interface RuleSettingsDoc {
  autoActivate: boolean;
  teamMemberIds: string[];
}

/** Who changed a rule, when, from what to what. */
export interface RuleChangeFields {
  actorId: string;
  at: Date;
  before: RuleSettingsDoc | null;
  after: RuleSettingsDoc;
}

/** One audited change (append-only). `_id` = `<orgId>:<type>:<version>`, so appending it twice is harmless. */
export interface ActivationRuleChangeDoc extends RuleChangeFields, Partial<WithOutbox> {
  _id: string;
  orgId: string;
  type: ActivatableChannelType;
  version: number;
}

/**
 * An organisation's rule for one channel type. `lastChange` is written in the same single-document update
 * as the settings, so a change cannot go missing from the audit trail if appending it to
 * `activation_rule_changes` is interrupted: it is appended again on the next history read or rule write.
 */
export interface ActivationRuleDoc extends RuleSettingsDoc {
  orgId: string;
  type: ActivatableChannelType;
  /** 1 for the first saved version; every write is conditional on the version it read. */
  version: number;
  updatedAt: Date;
  updatedBy: string;
  lastChange: RuleChangeFields;
}

const SettingsSchema = new Schema<RuleSettingsDoc>(
  { autoActivate: { type: Boolean, required: true }, teamMemberIds: { type: [String], default: [] } },
  { _id: false },
);

const changeFields = {
  actorId: { type: String, required: true },
  at: { type: Date, required: true },
  before: { type: SettingsSchema, default: null },
  after: { type: SettingsSchema, required: true },
};

export const ActivationRuleChangeSchema = new Schema<ActivationRuleChangeDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    type: { type: String, enum: ACTIVATABLE_CHANNEL_TYPES, required: true },
    version: { type: Number, required: true },
    ...changeFields,
    // each change carries its audit.recorded event for the organisation's one trail (channels service)
    ...outboxSchemaFields,
  },
  { collection: 'activation_rule_changes', versionKey: false },
);
// serves: a rule's history, newest first (orgId + type, by version)
ActivationRuleChangeSchema.index({ orgId: 1, type: 1, version: -1 });

export const ActivationRuleSchema = new Schema<ActivationRuleDoc>(
  {
    orgId: { type: String, required: true },
    type: { type: String, enum: ACTIVATABLE_CHANNEL_TYPES, required: true },
    autoActivate: { type: Boolean, required: true },
    teamMemberIds: { type: [String], default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
    lastChange: { type: new Schema<RuleChangeFields>(changeFields, { _id: false }), required: true },
  },
  { collection: 'activation_rules', versionKey: false },
);
// serves: an organisation's rule for a type (intake, settings, assigned team members); one rule per (org, type)
ActivationRuleSchema.index({ orgId: 1, type: 1 }, { unique: true });

export const ACTIVATION_RULE_MODEL = 'ActivationRule';
export const ACTIVATION_RULE_CHANGE_MODEL = 'ActivationRuleChange';
