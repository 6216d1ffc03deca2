import { Schema } from 'mongoose';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';
import type { SealedBox } from '@wellifiy/crypto';

/** An organisation's retention periods; absent = content kept forever (the default). */
export interface RetentionSettingsDoc {
  /** The organisation id: one document per organisation. */
  _id: string;
  orgId: string;
  messageContentDays: number | null;
  mediaDays: number | null;
  updatedAt: Date;
  updatedBy: string;
}

export const RetentionSettingsSchema = new Schema<RetentionSettingsDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    messageContentDays: { type: Number, default: null },
    mediaDays: { type: Number, default: null },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'retention_settings', versionKey: false },
);
// Lookups are by _id (the organisation); the sweep reads every document (one per organisation).

/** A legal hold: content of the patient (all their channels) or of one channel is neither purged nor erased. */
export interface LegalHoldDoc {
  _id: string;
  orgId: string;
  patientId: string | null;
  channelId: string | null;
  /** The officer's reason: may name clinical matters, so sealed like message content. null: dropped by an erasure. */
  reason: SealedBox | null;
  placedBy: string;
  placedAt: Date;
  /** Set when the hold is released; released holds are kept (the audit trail names them). */
  releasedAt: Date | null;
  releasedBy: string | null;
}

export const LegalHoldSchema = new Schema<LegalHoldDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    patientId: { type: String, default: null },
    channelId: { type: String, default: null },
    reason: { type: Object, default: null },
    placedBy: { type: String, required: true },
    placedAt: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
    releasedBy: { type: String, default: null },
  },
  { collection: 'legal_holds', versionKey: false },
);
// serves: the organisation's active holds (releasedAt null), paged by _id — the admin list, the sweep and erasure
LegalHoldSchema.index({ orgId: 1, releasedAt: 1, _id: 1 });

/**
 * What retention, holds and erasure did: ids and times only (no content, no names), inserted with the action.
 * Actions: retention.updated, retention.purged, retention.media-purged, legal-hold.placed, legal-hold.released,
 * patient.erased. Each row carries its `audit.recorded` event in its outbox (one insert): the organisation's one
 * trail (channels `audit_log`) is built from it; an erasure's row carries `patient.erased` too.
 */
export interface ComplianceLogDoc extends Partial<WithOutbox> {
  _id: string;
  orgId: string;
  action: ComplianceAction;
  /** Who did it; `system:retention` for the sweep. */
  actorId: string;
  patientId?: string;
  channelId?: string;
  messageId?: string;
  holdId?: string;
  at: Date;
}

export const COMPLIANCE_ACTIONS = ['retention.updated', 'retention.purged', 'retention.media-purged', 'legal-hold.placed', 'legal-hold.released', 'patient.erased'] as const;
export type ComplianceAction = (typeof COMPLIANCE_ACTIONS)[number];

export const ComplianceLogSchema = new Schema<ComplianceLogDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    action: { type: String, enum: COMPLIANCE_ACTIONS, required: true },
    actorId: { type: String, required: true },
    patientId: { type: String },
    channelId: { type: String },
    messageId: { type: String },
    holdId: { type: String },
    at: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'compliance_log', versionKey: false },
);
// serves: the organisation's entries over time (compliance review, the audit trail's feed)
ComplianceLogSchema.index({ orgId: 1, at: 1 });

export const RETENTION_SETTINGS_MODEL = 'RetentionSettings';
export const LEGAL_HOLD_MODEL = 'LegalHold';
export const COMPLIANCE_LOG_MODEL = 'ComplianceLog';
