import { Injectable, Logger } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, NotificationSettingsView, PutSettingsRequest, UserKind } from '@wellifiy/contracts';
import { NotificationsConfig } from '../config/notifications.config';
import { DigestScheduler } from '../digest/digest.scheduler';
import { BadgePublisher } from '../read-state/badge.publisher';
import { ReadStateService } from '../read-state/read-state.service';
import { RecipientsRepository } from '../recipients/recipients.repository';
import { effectiveSettings, EffectiveSettings } from '../settings/effective-settings';
import { SettingsFields, SettingsRepository } from '../settings/settings.repository';

const SAVE_ATTEMPTS = 5;

export type SettingsPatch = Partial<Pick<PutSettingsRequest, 'emailFrequency' | 'emailDelayMinutes' | 'pushEnabled' | 'mutedChannelIds'>>;

/** Notification preferences: a user changes their own; a team member may change a patient's (DESIGN §4). */
@Injectable()
export class PreferencesService {
  private readonly logger = new Logger('Settings');

  constructor(
    private readonly repo: SettingsRepository,
    private readonly recipients: RecipientsRepository,
    private readonly readState: ReadStateService,
    private readonly badges: BadgePublisher,
    private readonly scheduler: DigestScheduler,
    private readonly config: NotificationsConfig,
  ) {}

  async get(actor: Actor, userId?: string): Promise<NotificationSettingsView> {
    const target = await this.authorize(actor, userId);
    return this.view(effectiveSettings(target.userId, await this.repo.find(actor.orgId, target.userId), this.config));
  }

  async put(actor: Actor, userId: string | undefined, patch: SettingsPatch): Promise<NotificationSettingsView> {
    const target = await this.authorize(actor, userId);
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const current = effectiveSettings(target.userId, await this.repo.find(actor.orgId, target.userId), this.config);
      const next: SettingsFields = {
        emailFrequency: patch.emailFrequency ?? current.emailFrequency,
        emailDelayMinutes: patch.emailDelayMinutes ?? current.emailDelayMinutes,
        pushEnabled: patch.pushEnabled ?? current.pushEnabled,
        mutedChannelIds: patch.mutedChannelIds ? [...new Set(patch.mutedChannelIds)].sort() : [...current.muted].sort(),
      };
      const newlyMuted = next.mutedChannelIds.filter((id) => !current.muted.has(id));
      for (const channelId of newlyMuted) {
        // Only the target's own channels can be muted; anything else is "not found" (ids leak nothing).
        await this.readState.requireMember({ userId: target.userId, orgId: actor.orgId, kind: target.kind, perms: [] }, channelId);
      }
      const saved = await this.repo.save(actor.orgId, target.userId, next, current.stored?.version ?? 0, actor.userId);
      if (!saved) continue; // changed meanwhile (another device or replica): re-read and apply the patch again
      const after = effectiveSettings(target.userId, saved, this.config);
      await this.afterChange(actor.orgId, current, after);
      return this.view(after);
    }
    throw new DomainError(ErrorCode.Conflict, 'settings changed concurrently; retry');
  }

  private async afterChange(orgId: string, before: EffectiveSettings, after: EffectiveSettings): Promise<void> {
    const mutedChanged = before.muted.size !== after.muted.size || [...after.muted].some((id) => !before.muted.has(id));
    if (mutedChanged) await this.badges.publish(orgId, [after.userId], null);
    if (before.emailFrequency !== after.emailFrequency || before.emailDelayMinutes !== after.emailDelayMinutes) {
      await this.scheduler.reschedule(orgId, after.userId, after).catch((err: unknown) => {
        // The waiting digest keeps its old time; it still only emails what is unread then.
        this.logger.warn(`could not reschedule a digest: ${(err as Error).message}`);
      });
    }
  }

  /** Whose settings the actor may read and change: their own; a team member also any patient of the organisation. */
  private async authorize(actor: Actor, userId: string | undefined): Promise<{ userId: string; kind: UserKind }> {
    if (userId === undefined || userId === actor.userId) return { userId: actor.userId, kind: actor.kind };
    if (actor.kind === 'patient') throw new DomainError(ErrorCode.Forbidden, "patients cannot change another user's notification settings");
    const target = await this.recipients.find(actor.orgId, userId);
    if (!target) throw new DomainError(ErrorCode.NotFound, `user ${userId} not found`);
    if (target.kind !== 'patient') throw new DomainError(ErrorCode.Forbidden, "team members may change patients' notification settings only");
    return { userId, kind: 'patient' };
  }

  private view(s: EffectiveSettings): NotificationSettingsView {
    return {
      userId: s.userId,
      emailFrequency: s.emailFrequency,
      emailDelayMinutes: s.emailDelayMinutes,
      pushEnabled: s.pushEnabled,
      mutedChannelIds: [...s.muted].sort(),
      updatedAt: s.stored ? s.stored.updatedAt.toISOString() : null,
      updatedBy: s.stored?.updatedBy ?? null,
    };
  }
}
