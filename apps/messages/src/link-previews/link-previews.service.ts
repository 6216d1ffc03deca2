import { Injectable, Logger } from '@nestjs/common';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { firstUrl, parsePreview } from './html-preview';
import { LinkPreviewsRepository } from './link-previews.repository';
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

@Injectable()
export class LinkPreviewsService {
  private readonly logger = new Logger(LinkPreviewsService.name);

  constructor(
    private readonly fetcher: PreviewFetcher,
    private readonly repo: LinkPreviewsRepository,
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
    const message = await this.repo.findForPreview(job.orgId, job.messageId);
    // Deleted (a tombstone shows no preview), already previewed by an earlier run, or gone.
    if (!message || message.deleted || message.hasPreview) return { status: 'gone' };
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
    const updated = await this.repo.setPreview({ orgId: job.orgId, messageId: job.messageId, preview, correlationId: job.correlationId });
    return { status: updated ? 'updated' : 'gone' };
  }
}
