import { Inject, Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, hasPermission, MessageVersionEntry, MessageVersionsView, Permission } from '@wellifiy/contracts';
import { AuditRepository } from '../audit/audit.repository';
import { MessageHistoryRepository } from '../edits/message-history.repository';
import { MessageStore } from '../messages/message.store';

/**
 * Every version of a message for compliance officers (audit:read): the text as sent, then the state after each
 * edit or delete with who made it, when and why. The history keeps the state *before* each change, so version n's
 * body is history entry n's `previousBody` and the last version's body is the message's current one.
 */
@Injectable()
export class VersionsService {
  constructor(
    @Inject(MessageStore) private readonly state: Pick<MessageStore, 'findInOrg'>,
    private readonly history: MessageHistoryRepository,
    private readonly audit: AuditRepository,
  ) {}

  async list(actor: Actor, messageId: string): Promise<MessageVersionsView> {
    if (!hasPermission(actor, Permission.AuditRead)) throw new DomainError(ErrorCode.Forbidden, "reading a message's versions needs the audit:read permission");
    const message = await this.state.findInOrg(actor.orgId, messageId);
    if (!message) throw new DomainError(ErrorCode.NotFound, `message ${messageId} not found`);
    const changes = await this.history.list(actor.orgId, messageId);
    const versions: MessageVersionEntry[] = [
      { version: 0, body: changes[0]?.previousBody ?? message.body, change: 'sent', actorId: message.senderId, as: 'author', reason: null, at: message.createdAt.toISOString() },
      ...changes.map((c, i) => ({
        version: i + 1,
        body: changes[i + 1]?.previousBody ?? message.body,
        change: c.change,
        actorId: c.actorId,
        as: c.as,
        reason: c.reason,
        at: c.at.toISOString(),
      })),
    ];
    await this.audit.recordRead({
      orgId: actor.orgId, channelId: message.channelId, userId: actor.userId, userKind: actor.kind, what: 'versions', messageId,
      count: versions.length, fromSeq: message.seq, toSeq: message.seq, at: new Date(),
    });
    return { messageId, channelId: message.channelId, senderId: message.senderId, deleted: message.deleted === true, versions };
  }
}
