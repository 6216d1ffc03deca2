import { Injectable } from '@nestjs/common';
import { Actor, AuditEntryView, DomainError, ErrorCode, EventEnvelope, hasPermission, Permission } from '@wellifiy/contracts';
import { AuditRepository } from './audit.repository';

const DEFAULT_LIMIT = 100;

interface AuditableData {
  actorId?: string;
  userId?: string;
  channelId?: string;
  channel?: { id: string };
  reason?: string;
}

@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  /** Records one committed change, from the event that announced it. */
  async record(event: EventEnvelope<AuditableData>, fallbackActorId: string): Promise<void> {
    const d = event.data;
    await this.repo.append({
      _id: event.id,
      orgId: event.orgId,
      at: new Date(event.time),
      actorId: d.actorId ?? d.userId ?? fallbackActorId,
      action: event.type,
      channelId: d.channel?.id ?? d.channelId ?? null,
      targetUserId: d.userId ?? null,
      reason: d.reason ?? null,
    });
  }

  /** The organisation's trail, for users with messaging:manage only. */
  async list(actor: Actor, q: { channelId?: string; before?: string; limit?: number }): Promise<AuditEntryView[]> {
    if (!hasPermission(actor, Permission.MessagingManage)) throw new DomainError(ErrorCode.Forbidden, 'reading the audit trail needs the messaging:manage permission');
    const before = q.before ? new Date(q.before) : undefined;
    if (before && Number.isNaN(before.getTime())) {
      throw new DomainError(ErrorCode.ValidationFailed, 'before: must be an ISO date', [{ field: 'before', problems: ['must be an ISO date'] }]);
    }
    const entries = await this.repo.list(actor.orgId, { channelId: q.channelId, before, limit: q.limit ?? DEFAULT_LIMIT });
    return entries.map((e) => ({
      id: e._id,
      at: e.at.toISOString(),
      actorId: e.actorId,
      action: e.action,
      channelId: e.channelId,
      targetUserId: e.targetUserId,
      reason: e.reason,
    }));
  }
}
