import { digestDelayMs } from './digest-timing';

const opts = { minuteMs: 60_000, dailyHourUtc: 8 };

describe('digest timing', () => {
  it('off: no digest', () => {
    expect(digestDelayMs({ emailFrequency: 'off', emailDelayMinutes: 15 }, new Date(), opts)).toBeNull();
  });

  it('after_delay: N minutes after the first unread message', () => {
    expect(digestDelayMs({ emailFrequency: 'after_delay', emailDelayMinutes: 15 }, new Date(), opts)).toBe(15 * 60_000);
  });

  it('daily: at the next daily hour, today if it is still ahead, else tomorrow', () => {
    expect(digestDelayMs({ emailFrequency: 'daily', emailDelayMinutes: 1 }, new Date('2026-03-01T06:30:00Z'), opts)).toBe(90 * 60_000);
    expect(digestDelayMs({ emailFrequency: 'daily', emailDelayMinutes: 1 }, new Date('2026-03-01T08:00:00Z'), opts)).toBe(24 * 3600_000);
    expect(digestDelayMs({ emailFrequency: 'daily', emailDelayMinutes: 1 }, new Date('2026-03-01T23:00:00Z'), opts)).toBe(9 * 3600_000);
  });
});
