import { Injectable, Logger } from '@nestjs/common';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { firstUrl, parsePreview } from './html-preview';
import { LinkPreviewsRepository } from './link-previews.repository';
import { PreviewFetcher, PreviewRefused } from './preview-fetcher';

export interface PreviewJob {
  orgId: string;
  messageId: string;
  url: string;
  correlationId?: string;
}

export type PreviewOutcome = { status: 'updated'; message: MessageView } | { status: 'refused'; reason: string } | { status: 'gone' };

@Injectable()
export class LinkPreviewsService {
  private readonly logger = new Logger(LinkPreviewsService.name);

  constructor(
    private readonly fetcher: PreviewFetcher,
    private readonly repo: LinkPreviewsRepository,
  ) {}

  /** The preview job for a new message, or null when its body has no web link. */
  jobFor(orgId: string, message: MessageView, correlationId?: string): PreviewJob | null {
    const url = firstUrl(message.body);
    return url ? { orgId, messageId: message.id, url, ...(correlationId ? { correlationId } : {}) } : null;
  }

  /**
   * Fetches the page (SSRF-guarded, see PreviewFetcher) and stores the preview on the message, announcing
   * it with message.updated. A refused or failed fetch leaves the message without a preview; it is not retried.
   */
  async generate(job: PreviewJob): Promise<PreviewOutcome> {
    let preview: LinkPreview;
    try {
      const page = await this.fetcher.fetch(job.url);
      preview = { ...parsePreview(page.html, page.url), url: job.url };
    } catch (err) {
      const reason = err instanceof PreviewRefused ? err.reason : `fetch failed: ${(err as Error).message}`;
      this.logger.log(`no link preview for message ${job.messageId}: ${reason}`);
      return { status: 'refused', reason };
    }
    const message = await this.repo.setPreview({ orgId: job.orgId, messageId: job.messageId, preview, correlationId: job.correlationId });
    return message ? { status: 'updated', message } : { status: 'gone' };
  }
}
