import { Injectable } from '@nestjs/common';
import { Actor, AUDIT_PAGE_MAX, AuditEntryView, AuditPage, AuditQueryRequest, DomainError, ErrorCode, EventEnvelope, hasPermission, Permission } from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { AuditEntry, AuditRepository } from './audit.repository';

const DEFAULT_LIMIT = 100;

interface AuditableData {
  actorId?: string;
  userId?: string;
  channelId?: string;
  channel?: { id: string; patientId?: string | null };
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
      patientId: d.channel?.patientId ?? null,
      targetUserId: d.userId ?? null,
      reason: d.reason ?? null,
    });
  }

  /**
   * One page of the organisation's trail, for compliance officers (audit:read) only, newest first. The query is
   * itself recorded (`audit.queried`, with its filters) before the page is returned.
   */
  async list(actor: Actor, q: Omit<AuditQueryRequest, 'actor'>): Promise<AuditPage> {
    if (!hasPermission(actor, Permission.AuditRead)) throw new DomainError(ErrorCode.Forbidden, 'reading the audit trail needs the audit:read permission');
    const limit = Math.min(q.limit ?? DEFAULT_LIMIT, AUDIT_PAGE_MAX);
    const found = await this.repo.list(actor.orgId, {
      channelId: q.channelId, patientId: q.patientId, actorId: q.actorId, action: q.action,
      from: parseTime('from', q.from), to: parseTime('to', q.to), after: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: limit + 1,
    });
    const entries = found.slice(0, limit);
    const last = entries[entries.length - 1];
    await this.repo.append({
      _id: newId('aud'), orgId: actor.orgId, at: new Date(), actorId: actor.userId, action: 'audit.queried',
      channelId: q.channelId ?? null, patientId: q.patientId ?? null, targetUserId: q.actorId ?? null, reason: null,
    });
    return { entries: entries.map(toView), nextCursor: found.length > limit && last ? encodeCursor(last) : null };
  }
}

function toView(e: AuditEntry): AuditEntryView {
  return {
    id: e._id, at: e.at.toISOString(), actorId: e.actorId, action: e.action, channelId: e.channelId,
    patientId: e.patientId ?? null, targetUserId: e.targetUserId, reason: e.reason,
  };
}

function invalid(field: string, problem: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

function parseTime(field: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) throw invalid(field, 'must be an ISO date');
  return at;
}

/** Opaque to clients: the (at, id) of the last entry of a page, so the next page resumes after it. */
function encodeCursor(e: AuditEntry): string {
  return Buffer.from(JSON.stringify([e.at.toISOString(), e._id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const time = typeof at === 'string' ? new Date(at) : new Date(NaN);
    if (typeof id === 'string' && id.length > 0 && !Number.isNaN(time.getTime())) return { at: time, id };
  } catch {
    // not JSON: answered below
  }
  throw invalid('cursor', 'is not a cursor this API returned');
}
