import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, hasPermission, LegalHoldPage, LegalHoldView, Permission, RetentionSettings } from '@wellifiy/contracts';
import { LegalHold, RetentionPeriods, RetentionRepository } from './retention.repository';

export interface PutRetentionInput {
  actor: Actor;
  messageContentDays: number | null;
  mediaDays: number | null;
}

export interface PlaceHoldInput {
  actor: Actor;
  patientId?: string;
  channelId?: string;
  reason: string;
}

const DEFAULT_HOLD_PAGE = 50;

/**
 * Retention periods and legal holds. Compliance officers only (`audit:read`): both decide what the organisation
 * may lose, which is the compliance function's call, not settings:manage's.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly repo: RetentionRepository) {}

  async get(actor: Actor): Promise<RetentionSettings> {
    requireOfficer(actor);
    return toSettings(await this.repo.periods(actor.orgId));
  }

  async put({ actor, messageContentDays, mediaDays }: PutRetentionInput): Promise<RetentionSettings> {
    requireOfficer(actor);
    const at = new Date();
    await this.repo.log({ orgId: actor.orgId, action: 'retention.updated', actorId: actor.userId, at });
    return toSettings(await this.repo.setPeriods({ orgId: actor.orgId, messageContentDays, mediaDays, updatedAt: at, updatedBy: actor.userId }));
  }

  async place({ actor, patientId, channelId, reason }: PlaceHoldInput): Promise<LegalHoldView> {
    requireOfficer(actor);
    if (Boolean(patientId) === Boolean(channelId)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'a legal hold names exactly one of patientId or channelId');
    }
    if (!reason.trim()) throw new DomainError(ErrorCode.ValidationFailed, 'reason must not be blank');
    const hold = await this.repo.placeHold({ orgId: actor.orgId, patientId: patientId ?? null, channelId: channelId ?? null, reason, placedBy: actor.userId, placedAt: new Date() });
    await this.repo.log({ orgId: actor.orgId, action: 'legal-hold.placed', actorId: actor.userId, holdId: hold.id, ...(hold.patientId ? { patientId: hold.patientId } : {}), ...(hold.channelId ? { channelId: hold.channelId } : {}), at: hold.placedAt });
    return toView(hold);
  }

  async list({ actor, cursor, limit }: { actor: Actor; cursor?: string; limit?: number }): Promise<LegalHoldPage> {
    requireOfficer(actor);
    const size = limit ?? DEFAULT_HOLD_PAGE;
    const afterId = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.repo.activeHolds(actor.orgId, { afterId, limit: size + 1 });
    const page = rows.slice(0, size);
    return { holds: page.map(toView), nextCursor: rows.length > size ? encodeCursor(page[page.length - 1].id) : null };
  }

  async release({ actor, holdId }: { actor: Actor; holdId: string }): Promise<LegalHoldView> {
    requireOfficer(actor);
    const at = new Date();
    const hold = await this.repo.releaseHold(actor.orgId, holdId, actor.userId, at);
    if (!hold) throw new DomainError(ErrorCode.NotFound, `legal hold ${holdId} not found`);
    await this.repo.log({ orgId: actor.orgId, action: 'legal-hold.released', actorId: actor.userId, holdId, ...(hold.patientId ? { patientId: hold.patientId } : {}), ...(hold.channelId ? { channelId: hold.channelId } : {}), at });
    return toView(hold);
  }
}

export function requireOfficer(actor: Actor): void {
  if (actor.kind !== 'team_member' || !hasPermission(actor, Permission.AuditRead)) {
    throw new DomainError(ErrorCode.Forbidden, 'retention, legal holds and erasure need the audit:read permission');
  }
}

function toSettings(p: RetentionPeriods): RetentionSettings {
  return { messageContentDays: p.messageContentDays, mediaDays: p.mediaDays, updatedAt: p.updatedAt?.toISOString() ?? null, updatedBy: p.updatedBy };
}

function toView(h: LegalHold): LegalHoldView {
  return { id: h.id, patientId: h.patientId, channelId: h.channelId, reason: h.reason, placedBy: h.placedBy, placedAt: h.placedAt.toISOString() };
}

const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^hold_[0-9a-f]{32}$/.test(id)) throw new DomainError(ErrorCode.ValidationFailed, 'cursor: not a cursor this endpoint returned');
  return id;
}
