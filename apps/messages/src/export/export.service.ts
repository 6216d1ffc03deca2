import { Inject, Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, EXPORT_PAGE_MAX, ExportMedia, ExportPage, hasPermission, Permission } from '@wellifiy/contracts';
import { MediaRepository } from '../media/media.repository';
import { MembershipRepository } from '../membership/membership.repository';
import { MessageStore } from '../messages/message.store';

export interface ExportPageInput {
  actor: Actor;
  channelId: string;
  after?: number;
  limit?: number;
}

/**
 * A channel's whole timeline for a patient's chart export (docs/fhir-export.md), a page at a time, to a compliance
 * officer (audit:read) who need not be a member. The gateway asks only for the channels the channels service named
 * for the export; direct messages between team members are never exported.
 */
@Injectable()
export class ExportService {
  // Only what the export reads of each store.
  constructor(
    @Inject(MessageStore) private readonly messages: Pick<MessageStore, 'list'>,
    @Inject(MembershipRepository) private readonly membership: Pick<MembershipRepository, 'find'>,
    @Inject(MediaRepository) private readonly media: Pick<MediaRepository, 'find'>,
  ) {}

  async page({ actor, channelId, after, limit }: ExportPageInput): Promise<ExportPage> {
    if (!hasPermission(actor, Permission.AuditRead)) throw new DomainError(ErrorCode.Forbidden, 'exporting conversations needs the audit:read permission');
    const channel = await this.membership.find(actor.orgId, channelId);
    if (channel?.type === 'dm') throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    const size = Math.min(limit ?? EXPORT_PAGE_MAX, EXPORT_PAGE_MAX);
    // One extra row says whether more follow. Every query names the organisation: another's channel id reads as empty.
    const rows = await this.messages.list(actor.orgId, channelId, { after: after ?? 0, limit: size + 1 });
    const messages = rows.slice(0, size);
    const mediaIds = [...new Set(messages.flatMap((m) => m.attachments ?? []))];
    const media: ExportMedia[] = [];
    for (const id of mediaIds) {
      const file = await this.media.find(actor.orgId, id);
      if (file) media.push({ id, contentType: file.original.contentType, size: file.original.size, createdAt: file.createdAt.toISOString() });
    }
    return { messages, media, hasMore: rows.length > size };
  }
}
