import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, Events, MessageView } from '@wellifiy/contracts';
import { outboxEntry } from '@wellifiy/messaging';
import { AuditRepository } from '../audit/audit.repository';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { MessageEvents } from '../messages/message-events';
import { toMessageView } from '../messages/message.mapper';
import { changedByFor, PersonChange } from './change-permission';
import { MessageHistoryRepository } from './message-history.repository';

/** One trail entry per version an edit replaced: a retried edit of the same version records nothing new. */
function editAuditId(messageId: string, version: number): string {
  return `edited:${messageId}:${version}`;
}

export interface EditInput {
  actor: Actor;
  channelId: string;
  messageId: string;
  body: string;
  reason?: string;
  correlationId?: string;
}

export interface DeleteInput {
  actor: Actor;
  channelId: string;
  messageId: string;
  reason?: string;
  correlationId?: string;
}

/** Edits and soft deletes: permission (rule 6), immutable history, audit, events. */
@Injectable()
export class EditsService {
  constructor(
    private readonly changes: MessageChanges,
    private readonly history: MessageHistoryRepository,
    private readonly audit: AuditRepository,
    private readonly membership: MembershipService,
  ) {}

  async edit({ actor, channelId, messageId, body, reason, correlationId }: EditInput): Promise<MessageView> {
    await this.membership.requireMember(actor, channelId);
    let changed: PersonChange | undefined;
    let version = 0;
    const updated = await this.changes.apply({ orgId: actor.orgId, channelId, messageId }, async (m) => {
      const as = changedByFor(actor, m, reason);
      if (m.deleted) throw new DomainError(ErrorCode.MessageDeleted, 'a deleted message cannot be edited');
      if (m.body === body) return null; // same text: nothing to record
      const at = new Date();
      // The state before the change is kept first: if the update below loses a race it is retried, and the
      // version entry of that retry (a new version number) is recorded then.
      await this.history.record({
        orgId: actor.orgId, channelId, messageId, version: m.version ?? 0, change: 'edit', previousBody: m.body, sealedFor: m.sealedFor ?? null,
        actorId: actor.userId, as, reason: reason ?? null, at,
      });
      changed = as;
      version = m.version ?? 0;
      const auditId = editAuditId(messageId, version);
      return {
        set: { body, editedAt: at, editedBy: as },
        // The trail's entry rides in the message's own outbox, written by the same update as the edit: a crash
        // after the update cannot lose it (the local audit row below, under the same id, is a second copy).
        events: (next) => [
          MessageEvents.updated(toMessageView(next), { orgId: actor.orgId, correlationId }),
          {
            ...outboxEntry(
              Events.AuditRecorded,
              { action: 'message.edited', actorId: actor.userId, channelId, messageId, fromSeq: next.seq, toSeq: next.seq, reason: reason ?? null },
              { orgId: actor.orgId, correlationId },
            ),
            id: auditId,
            time: at.toISOString(),
          },
        ],
      };
    });
    if (!updated) throw new DomainError(ErrorCode.NotFound, `message ${messageId} not found`);
    if (changed) {
      await this.audit.recordChange({
        id: editAuditId(messageId, version), orgId: actor.orgId, channelId, messageId, seq: updated.seq, action: 'message.edited',
        actorId: actor.userId, actorKind: actor.kind, as: changed, reason: reason ?? null, sealedFor: updated.sealedFor ?? null, at: new Date(),
      });
    }
    return toMessageView(updated, actor.userId);
  }

  /** Soft delete: clients get a tombstone; the content stays, encrypted, for retention. Idempotent. */
  async delete({ actor, channelId, messageId, reason, correlationId }: DeleteInput): Promise<MessageView> {
    await this.membership.requireMember(actor, channelId);
    let changed: PersonChange | undefined;
    const updated = await this.changes.apply({ orgId: actor.orgId, channelId, messageId }, async (m) => {
      const as = changedByFor(actor, m, reason);
      if (m.deleted) return null;
      const at = new Date();
      await this.history.record({
        orgId: actor.orgId, channelId, messageId, version: m.version ?? 0, change: 'delete', previousBody: m.body, sealedFor: m.sealedFor ?? null,
        actorId: actor.userId, as, reason: reason ?? null, at,
      });
      changed = as;
      return {
        set: { deleted: true, deletedAt: at, deletedBy: as },
        events: (next) => [
          outboxEntry(
            Events.MessageDeleted,
            { channelId, messageId, seq: next.seq, senderId: next.senderId, actorId: actor.userId, deletedBy: as },
            { orgId: actor.orgId, correlationId },
          ),
        ],
      };
    });
    if (!updated) throw new DomainError(ErrorCode.NotFound, `message ${messageId} not found`);
    // Recorded whenever the message is deleted, also on a retry that finds it already so (the first attempt may
    // have stopped before its entry was written); the id makes the second record a no-op.
    // A message retention or erasure removed was not deleted by this actor: nothing of theirs to record.
    const by = changed ?? updated.deletedBy ?? 'author';
    if (updated.deleted && (by === 'author' || by === 'staff')) {
      await this.audit.recordChange({
        id: `deleted:${messageId}`, orgId: actor.orgId, channelId, messageId, seq: updated.seq, action: 'message.deleted',
        actorId: actor.userId, actorKind: actor.kind, as: by, reason: reason ?? null, sealedFor: updated.sealedFor ?? null, at: new Date(),
      });
    }
    return toMessageView(updated, actor.userId);
  }
}
