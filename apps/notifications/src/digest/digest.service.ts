import { Injectable, Logger } from '@nestjs/common';
import { NotificationsConfig } from '../config/notifications.config';
import { ReadStateRepository } from '../read-state/read-state.repository';
import { planDigest, readMarker, unreadAfter } from '../read-state/unread';
import { RecipientsRepository } from '../recipients/recipients.repository';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { composeDigest } from './digest-email';
import { DigestScheduler } from './digest.scheduler';
import { Mailer } from './mailer';

export type DigestOutcome = 'sent' | 'off' | 'no-address' | 'nothing-unread' | 'mail-disabled';

/** Unread-message emails: who gets one when, and what it says (counts and a link only). */
@Injectable()
export class DigestService {
  private readonly logger = new Logger('Digest');

  constructor(
    private readonly readStates: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly recipients: RecipientsRepository,
    private readonly scheduler: DigestScheduler,
    private readonly mailer: Mailer,
    private readonly config: NotificationsConfig,
  ) {}

  /** A channel had new messages: schedule a digest for each member who now has undigested unread there. */
  async fanOut(orgId: string, channelId: string, correlationId?: string): Promise<number> {
    if (!this.mailer.enabled) return 0;
    const [channel, rows] = await Promise.all([this.readStates.channel(orgId, channelId), this.readStates.memberRows(orgId, channelId)]);
    if (!channel) return 0;
    const stored = await this.settings.findMany(orgId, rows.map((r) => r.userId));
    let scheduled = 0;
    for (const row of rows) {
      const s = effectiveSettings(row.userId, stored.get(row.userId), this.config);
      if (row.archived || s.muted.has(channelId) || s.emailFrequency === 'off') continue;
      if (unreadAfter(channel, Math.max(readMarker(channel, row).readSeq, row.digestSeq)) === 0) continue;
      if (await this.scheduler.scheduleUser(orgId, row.userId, s, correlationId)) scheduled++;
    }
    return scheduled;
  }

  /** The digest job fired: email only what is still unread and was never in an earlier digest. */
  async send(orgId: string, userId: string): Promise<DigestOutcome> {
    if (!this.mailer.enabled) return 'mail-disabled';
    const s = effectiveSettings(userId, await this.settings.find(orgId, userId), this.config);
    if (s.emailFrequency === 'off') return 'off';
    const recipient = await this.recipients.find(orgId, userId);
    if (!recipient?.email || recipient.archived) return 'no-address';
    const rows = await this.readStates.rowsOfUsers(orgId, [userId]);
    const channels = await this.readStates.channels(orgId, rows.map((r) => r.channelId));
    const plan = planDigest(recipient.kind, rows, channels, s.muted);
    if (plan.unread === 0) return 'nothing-unread';
    await this.mailer.send(composeDigest(recipient.email, plan, this.config.APP_URL));
    // After the send: a crash in between repeats the email on retry rather than losing it.
    await this.readStates.advanceDigest(orgId, userId, plan.covered);
    this.logger.log(`digest sent: ${plan.unread} unread in ${plan.channelCount} channel(s)`);
    return 'sent';
  }
}
