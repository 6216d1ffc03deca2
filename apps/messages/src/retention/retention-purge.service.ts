import { Injectable, Logger } from '@nestjs/common';
import { MessagesConfig } from '../config/messages.config';
import { LegalHolds } from './legal-holds';
import { PurgeRepository } from './purge.repository';
import { RetentionPeriods, RetentionRepository } from './retention.repository';

export const RETENTION_ACTOR = 'system:retention';

export interface SweepResult {
  purged: number;
  mediaPurged: number;
  /** Organisations with more due than one run may take (RETENTION_MAX_BATCHES): the next run continues. */
  unfinished: string[];
}

/**
 * The retention sweep: for each organisation with a period, removes content older than it in bounded batches,
 * skipping channels under a legal hold (re-read before every batch, so a hold placed mid-sweep counts at once).
 * Each message's compliance entry is inserted (keyed by the message, so once) before its content goes; every step
 * repeats safely, so a crash mid-batch is finished by the next run, and a second run finds nothing to do.
 */
@Injectable()
export class RetentionPurgeService {
  private readonly logger = new Logger('RetentionPurge');

  constructor(
    private readonly repo: RetentionRepository,
    private readonly purge: PurgeRepository,
    private readonly holds: LegalHolds,
    private readonly config: MessagesConfig,
  ) {}

  async sweep(now = new Date()): Promise<SweepResult> {
    const result: SweepResult = { purged: 0, mediaPurged: 0, unfinished: [] };
    for (const periods of await this.repo.organisationsWithRetention()) {
      const org = await this.sweepOrganisation(periods, now);
      result.purged += org.purged;
      result.mediaPurged += org.mediaPurged;
      if (!org.finished) result.unfinished.push(periods.orgId);
    }
    if (result.purged || result.mediaPurged) this.logger.log(`retention removed the content of ${result.purged} message(s) and the media of ${result.mediaPurged} more`);
    return result;
  }

  private async sweepOrganisation(p: RetentionPeriods, now: Date): Promise<{ purged: number; mediaPurged: number; finished: boolean }> {
    const { orgId } = p;
    const limit = this.config.RETENTION_BATCH_SIZE;
    let batches = 0;
    let purged = 0;
    let mediaPurged = 0;
    const cutoff = (days: number): Date => new Date(now.getTime() - days * this.config.RETENTION_DAY_MS);

    if (p.messageContentDays !== null) {
      for (; batches < this.config.RETENTION_MAX_BATCHES; batches++) {
        const held = await this.holds.scope(orgId);
        const due = await this.purge.contentDue({ orgId, before: cutoff(p.messageContentDays), excludedChannels: [...held.channelIds], limit });
        for (const m of due) {
          await this.repo.log({ orgId, action: 'retention.purged', actorId: RETENTION_ACTOR, channelId: m.channelId, messageId: m.id, at: now }, `retention.purged:${m.id}`);
          await this.purge.purgeContent(orgId, m, now);
        }
        purged += due.length;
        if (due.length < limit) break;
      }
    }
    if (p.mediaDays !== null) {
      for (; batches < this.config.RETENTION_MAX_BATCHES; batches++) {
        const held = await this.holds.scope(orgId);
        const due = await this.purge.mediaDue({ orgId, before: cutoff(p.mediaDays), excludedChannels: [...held.channelIds], limit });
        for (const m of due) {
          await this.repo.log({ orgId, action: 'retention.media-purged', actorId: RETENTION_ACTOR, channelId: m.channelId, messageId: m.id, at: now }, `retention.media-purged:${m.id}`);
          await this.purge.purgeMedia(orgId, m, now);
        }
        mediaPurged += due.length;
        if (due.length < limit) break;
      }
    }
    return { purged, mediaPurged, finished: batches < this.config.RETENTION_MAX_BATCHES };
  }
}
