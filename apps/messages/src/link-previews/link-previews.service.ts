import { Inject, Injectable, Logger } from '@nestjs/common';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { MessageChanges } from '../messages/message-changes';
import { MessageEvents } from '../messages/message-events';
import { toMessageView } from '../messages/message.mapper';
import { MessageStore } from '../messages/message.store';
import { firstUrl, parsePreview } from './html-preview';
import { PreviewFetcher, PreviewRefused } from './preview-fetcher';

/**
 * A preview job names its message, nothing else: BullMQ keeps job data (and return values) in Redis, so the URL —
 * part of what the sender wrote — is read from the (encrypted) message when the job runs, never put in the job.
 */
export interface PreviewJob {
  orgId: string;
  messageId: string;
  correlationId?: string;
}

/** What a job returns, kept in Redis with the completed job: an outcome, no URL, no reason naming a host. */
export type PreviewOutcome = { status: 'updated' | 'refused' | 'failed' | 'no-link' | 'gone' };

export interface SetPreviewInput {
  orgId: string;
  messageId: string;
  preview: LinkPreview;
  correlationId?: string;
}

@Injectable()
export class LinkPreviewsService {
  private readonly logger = new Logger(LinkPreviewsService.name);

  constructor(
    private readonly fetcher: PreviewFetcher,
    @Inject(MessageStore) private readonly messages: Pick<MessageStore, 'findInOrg'>,
    private readonly changes: MessageChanges,
  ) {}

  /** The preview job for a new message, or null when its body has no web link. */
  jobFor(orgId: string, message: MessageView, correlationId?: string): PreviewJob | null {
    if (!firstUrl(message.body)) return null;
    return { orgId, messageId: message.id, ...(correlationId ? { correlationId } : {}) };
  }

  /**
   * Reads the message, fetches the page of its first link (SSRF-guarded, see PreviewFetcher) and stores the
   * preview on the message, announcing it with message.updated. A refused or failed fetch leaves the message
   * without a preview; it is not retried.
   */
  async generate(job: PreviewJob): Promise<PreviewOutcome> {
    const message = await this.messages.findInOrg(job.orgId, job.messageId);
    // Deleted or erased (a tombstone shows no preview), already previewed by an earlier run, or gone.
    if (!message || message.deleted || message.linkPreview) return { status: 'gone' };
    const url = firstUrl(message.body);
    if (!url) return { status: 'no-link' };
    let preview: LinkPreview;
    try {
      const page = await this.fetcher.fetch(url);
      preview = { ...parsePreview(page.html, page.url), url };
    } catch (err) {
      // The reason may name the link's host (part of what the sender wrote): not logged.
      const refused = err instanceof PreviewRefused;
      this.logger.log(`no link preview for message ${job.messageId}: ${refused ? 'refused by the fetch policy' : 'fetch failed'}`);
      return { status: refused ? 'refused' : 'failed' };
    }
    const updated = await this.setPreview({ orgId: job.orgId, messageId: job.messageId, preview, correlationId: job.correlationId });
    return { status: updated ? 'updated' : 'gone' };
  }

  /**
   * Stores the (encrypted) preview on the message with its message.updated; null if the message is gone, deleted,
   * erased or already previewed (an earlier run of the same job: nothing to announce twice). The change is guarded
   * by the version it read, so an edit, delete or reaction meanwhile (any process) makes it read again.
   */
  async setPreview({ orgId, messageId, preview, correlationId }: SetPreviewInput): Promise<MessageView | null> {
    let changed = false;
    const message = await this.changes.apply({ orgId, messageId }, (m) => {
      changed = !m.deleted && !m.linkPreview;
      if (!changed) return null;
      return { set: { linkPreview: preview }, events: (next) => [MessageEvents.updated(toMessageView(next), { orgId, correlationId })] };
    });
    return message && changed ? toMessageView(message) : null;
  }
}
