import { Injectable } from '@nestjs/common';
import {
  Actor, AUDIT_PAGE_MAX, AuditEntryView, AuditPage, AuditQueryRequest, AuditRecordedEvent, DomainError, ErrorCode, EventEnvelope, hasPermission,
  MessageCreatedEvent, Permission, ReactionUpdatedEvent,
} from '@wellifiy/contracts';
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

/** The patient a channel belongs to (care-team, service-team and group channels), so every entry can be found by patient. */
export abstract class ChannelPatientLookup {
  abstract patientOf(orgId: string, channelId: string): Promise<string | null>;
  /** What an event that carries the channel says about its patient (saves the lookup of a later send). */
  remember(_orgId: string, _channelId: string, _patientId: string | null): void {
    // no cache by default
  }
}

/** What an audited read or action names besides who did it (ids and seqs only). */
export interface AuditSubject {
  channelId?: string | null;
  patientId?: string | null;
  targetUserId?: string | null;
  messageId?: string | null;
  mediaId?: string | null;
  fromSeq?: number | null;
  toSeq?: number | null;
  reason?: string | null;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly patients: ChannelPatientLookup,
  ) {}

  /** Records one committed change, from the event that announced it. */
  async record(event: EventEnvelope<AuditableData>, fallbackActorId: string): Promise<void> {
    const d = event.data;
    const channelId = d.channel?.id ?? d.channelId ?? null;
    // Archive events name the channel only: its patient is looked up, so a patient's trail has them too.
    const patientId = d.channel ? (d.channel.patientId ?? null) : channelId ? await this.patients.patientOf(event.orgId, channelId) : null;
    if (d.channel) this.patients.remember(event.orgId, d.channel.id, patientId);
    await this.repo.append(entry(event, d.actorId ?? d.userId ?? fallbackActorId, event.type, {
      channelId,
      patientId,
      targetUserId: d.userId ?? null,
      reason: d.reason ?? null,
    }));
  }

  /** A message was stored (message.created, the messages service's outbox): who sent what seq where — never the body. */
  async recordSent(event: MessageCreatedEvent): Promise<void> {
    const m = event.data.message;
    await this.repo.append(entry(event, m.senderId, 'message.sent', {
      channelId: m.channelId, patientId: await this.patients.patientOf(event.orgId, m.channelId), messageId: m.id, fromSeq: m.seq, toSeq: m.seq,
    }));
  }

  async recordReaction(event: ReactionUpdatedEvent): Promise<void> {
    const d = event.data;
    await this.repo.append(entry(event, d.userId, d.reacted ? 'reaction.added' : 'reaction.removed', {
      channelId: d.channelId, patientId: await this.patients.patientOf(event.orgId, d.channelId), messageId: d.messageId, fromSeq: d.seq, toSeq: d.seq,
    }));
  }

  /** An action another service audited (audit.recorded): the event id is the entry id, so a redelivery adds nothing. */
  async recordAudited(event: AuditRecordedEvent): Promise<void> {
    const d = event.data;
    const channelId = d.channelId ?? null;
    await this.repo.append(entry(event, d.actorId, d.action, {
      channelId, patientId: d.patientId ?? (channelId ? await this.patients.patientOf(event.orgId, channelId) : null),
      targetUserId: d.targetUserId, messageId: d.messageId, mediaId: d.mediaId, fromSeq: d.fromSeq, toSeq: d.toSeq, reason: d.reason,
    }));
  }

  /** A read this service answers (e.g. a member list with real names): written before the answer. */
  async recordRead(actor: Actor, action: string, subject: AuditSubject): Promise<void> {
    const channelId = subject.channelId ?? null;
    const patientId = subject.patientId ?? (channelId ? await this.patients.patientOf(actor.orgId, channelId) : null);
    await this.repo.append(entry({ id: newId('aud'), orgId: actor.orgId, time: new Date().toISOString() }, actor.userId, action, { ...subject, patientId }));
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
    // An export is recorded once, on its first page; its following pages carry the cursor the first one returned.
    if (!q.export || !q.cursor) {
      await this.repo.append(entry({ id: newId('aud'), orgId: actor.orgId, time: new Date().toISOString() }, actor.userId, q.export ? 'audit.exported' : 'audit.queried', {
        channelId: q.channelId ?? null, patientId: q.patientId ?? null, targetUserId: q.actorId ?? null,
      }));
    }
    return { entries: entries.map(toView), nextCursor: found.length > limit && last ? encodeCursor(last) : null };
  }
}

function entry(event: Pick<EventEnvelope, 'id' | 'orgId' | 'time'>, actorId: string, action: string, s: AuditSubject): AuditEntry {
  return {
    _id: event.id, orgId: event.orgId, at: new Date(event.time), actorId, action,
    channelId: s.channelId ?? null, patientId: s.patientId ?? null, targetUserId: s.targetUserId ?? null,
    messageId: s.messageId ?? null, mediaId: s.mediaId ?? null, fromSeq: s.fromSeq ?? null, toSeq: s.toSeq ?? null, reason: s.reason ?? null,
  };
}

function toView(e: AuditEntry): AuditEntryView {
  return {
    id: e._id, at: e.at.toISOString(), actorId: e.actorId, action: e.action, channelId: e.channelId,
    patientId: e.patientId ?? null, targetUserId: e.targetUserId, messageId: e.messageId ?? null, mediaId: e.mediaId ?? null,
    fromSeq: e.fromSeq ?? null, toSeq: e.toSeq ?? null, reason: e.reason,
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
