import { EmailFrequency } from '@wellifiy/contracts';
import { NotificationsConfig } from '../config/notifications.config';
import { StoredSettings } from './settings.repository';

/** A user's preferences as they apply: stored ones, or the configured defaults. */
export interface EffectiveSettings {
  userId: string;
  emailFrequency: EmailFrequency;
  emailDelayMinutes: number;
  pushEnabled: boolean;
  muted: ReadonlySet<string>;
  stored: StoredSettings | null;
}

export type SettingsDefaults = Pick<NotificationsConfig, 'DIGEST_DEFAULT_FREQUENCY' | 'DIGEST_DEFAULT_DELAY_MINUTES'>;

export function effectiveSettings(userId: string, stored: StoredSettings | null | undefined, defaults: SettingsDefaults): EffectiveSettings {
  return {
    userId,
    emailFrequency: stored?.emailFrequency ?? defaults.DIGEST_DEFAULT_FREQUENCY,
    emailDelayMinutes: stored?.emailDelayMinutes ?? defaults.DIGEST_DEFAULT_DELAY_MINUTES,
    pushEnabled: stored?.pushEnabled ?? true,
    muted: new Set(stored?.mutedChannelIds ?? []),
    stored: stored ?? null,
  };
}
