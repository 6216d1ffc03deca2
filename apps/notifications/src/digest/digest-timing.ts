import { EmailFrequency } from '@wellifiy/contracts';

export interface DigestTiming {
  emailFrequency: EmailFrequency;
  emailDelayMinutes: number;
}

/**
 * How long until a user's digest fires, from `now`: after their delay, or at the next daily hour (UTC).
 * null when they get no emails.
 */
export function digestDelayMs(t: DigestTiming, now: Date, opts: { minuteMs: number; dailyHourUtc: number }): number | null {
  switch (t.emailFrequency) {
    case 'off':
      return null;
    case 'after_delay':
      return t.emailDelayMinutes * opts.minuteMs;
    case 'daily': {
      const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), opts.dailyHourUtc, 0, 0, 0));
      if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
      return next.getTime() - now.getTime();
    }
  }
}
