import { Schema } from 'mongoose';
import type { SealedBox } from '@wellifiy/crypto';

/**
 * The organisation's one append-only audit trail (who, what, when, why; never content). Entries are outbox events
 * — the channels service's own, the messages service's `message.created` and `reaction.updated`, and the
 * `audit.recorded` events other services write beside each audited action — so an entry exists exactly when the
 * action was committed; reads this service answers (member lists, queries and exports of the trail) are inserted
 * before the answer. See docs/audit.md.
 */
export interface AuditEntryDoc {
  /** The event id: replays of an event cannot add a second entry. */
  _id: string;
  orgId: string;
  at: Date;
  actorId: string;
  action: string;
  channelId: string | null;
  /** The patient of the channel (care-team, service-team and group channels), for a patient's whole trail. */
  patientId?: string | null;
  targetUserId: string | null;
  /** The message a write or read was about (sends, edits, deletes, reactions, thread and version reads). */
  messageId?: string | null;
  mediaId?: string | null;
  /** The seq range a read returned, or the one message's seq. */
  fromSeq?: number | null;
  toSeq?: number | null;
  /** Free text a team member may have written: sealed, bound to the entry (`channel-audit:<id>:reason`). */
  reason: SealedBox | null;
}

export const AuditEntrySchema = new Schema<AuditEntryDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    action: { type: String, required: true },
    channelId: { type: String, default: null },
    patientId: { type: String, default: null },
    targetUserId: { type: String, default: null },
    messageId: { type: String, default: null },
    mediaId: { type: String, default: null },
    fromSeq: { type: Number, default: null },
    toSeq: { type: Number, default: null },
    reason: { type: Object, default: null },
  },
  { collection: 'audit_log', versionKey: false },
);
// Every query is equalities on orgId (+ at most one filter field) then `at`/`_id` descending, bounded by a limit and
// paged by the (at, _id) cursor — an index range on MongoDB, never a collection scan.
// serves: the organisation's trail, newest first (also `action`, `from`/`to` alone)
AuditEntrySchema.index({ orgId: 1, at: -1, _id: -1 });
// serves: one channel's trail, newest first
AuditEntrySchema.index({ orgId: 1, channelId: 1, at: -1, _id: -1 });
// serves: one patient's trail (all their channels), newest first
AuditEntrySchema.index({ orgId: 1, patientId: 1, at: -1, _id: -1 });
// serves: what one actor did, newest first
AuditEntrySchema.index({ orgId: 1, actorId: 1, at: -1, _id: -1 });

export const AUDIT_ENTRY_MODEL = 'AuditEntry';
