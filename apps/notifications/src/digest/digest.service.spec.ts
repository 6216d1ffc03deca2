import 'reflect-metadata';
import { NotificationsConfig } from '../config/notifications.config';
import { DEFAULTS, FakeMailer, FakeReadStateRepository, FakeRecipientsRepository, FakeSettingsRepository, recorded, snapshot } from '../testing/fakes';
import { DigestTiming } from './digest-timing';
import { DigestScheduler } from './digest.scheduler';
import { DigestService } from './digest.service';

class FakeScheduler {
  readonly scheduled: { orgId: string; userId: string; timing: DigestTiming }[] = [];

  async scheduleUser(orgId: string, userId: string, timing: DigestTiming): Promise<boolean> {
    if (timing.emailFrequency === 'off') return false;
    this.scheduled.push({ orgId, userId, timing: { emailFrequency: timing.emailFrequency, emailDelayMinutes: timing.emailDelayMinutes } });
    return true;
  }
}

describe('DigestService', () => {
  let readStates: FakeReadStateRepository;
  let settings: FakeSettingsRepository;
  let recipients: FakeRecipientsRepository;
  let scheduler: FakeScheduler;
  let mailer: FakeMailer;
  let service: DigestService;
  const config = { ...DEFAULTS, APP_URL: 'https://app.example' } as unknown as NotificationsConfig;

  beforeEach(async () => {
    readStates = new FakeReadStateRepository();
    settings = new FakeSettingsRepository();
    recipients = new FakeRecipientsRepository();
    scheduler = new FakeScheduler();
    mailer = new FakeMailer();
    service = new DigestService(readStates, settings, recipients, scheduler as unknown as DigestScheduler, mailer, config);
    await readStates.applySnapshot('org_1', snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_1', 'team_member']]), 'zero');
    await readStates.applySnapshot('org_1', snapshot('ch_2', 'staff', [['tm_1', 'team_member'], ['tm_2', 'team_member']]), 'zero');
    recipients.add('org_1', 'pat_1', 'patient', 'pat@example.test');
    recipients.add('org_1', 'tm_1', 'team_member', 'tm1@example.test');
  });

  it('fan-out schedules a digest for the members with undigested unread only (never the sender)', async () => {
    await readStates.recordMessage('org_1', recorded('ch_1', 1, 'tm_1'));

    expect(await service.fanOut('org_1', 'ch_1')).toBe(1);
    expect(scheduler.scheduled).toEqual([{ orgId: 'org_1', userId: 'pat_1', timing: { emailFrequency: 'after_delay', emailDelayMinutes: 15 } }]);
  });

  it('fan-out skips members who muted or archived the channel, or turned emails off', async () => {
    await readStates.recordMessage('org_1', recorded('ch_1', 1, 'tm_1'));
    await settings.save('org_1', 'pat_1', { emailFrequency: 'after_delay', emailDelayMinutes: 5, pushEnabled: true, mutedChannelIds: ['ch_1'] }, 0, 'pat_1');
    expect(await service.fanOut('org_1', 'ch_1')).toBe(0);

    await settings.save('org_1', 'pat_1', { emailFrequency: 'off', emailDelayMinutes: 5, pushEnabled: true, mutedChannelIds: [] }, 1, 'pat_1');
    expect(await service.fanOut('org_1', 'ch_1')).toBe(0);

    await settings.save('org_1', 'pat_1', { emailFrequency: 'daily', emailDelayMinutes: 5, pushEnabled: true, mutedChannelIds: [] }, 2, 'pat_1');
    await readStates.setArchived('org_1', 'ch_1', 'pat_1', true);
    expect(await service.fanOut('org_1', 'ch_1')).toBe(0);
    expect(scheduler.scheduled).toEqual([]);
  });

  it('one email coalescing every channel, with counts and a link only; then the same messages are never emailed again', async () => {
    for (let seq = 1; seq <= 3; seq++) await readStates.recordMessage('org_1', recorded('ch_1', seq, 'pat_1'));
    await readStates.recordMessage('org_1', recorded('ch_2', 1, 'tm_2'));

    expect(await service.send('org_1', 'tm_1')).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'tm1@example.test', subject: 'You have unread messages on Wellifiy' });
    expect(mailer.sent[0].text).toContain('You have 4 unread messages in 2 conversations on Wellifiy.');
    expect(mailer.sent[0].text).toContain('https://app.example');
    expect(mailer.sent[0].text + mailer.sent[0].html).not.toMatch(/ch_1|ch_2|pat_1|tm_2/);

    expect(await service.send('org_1', 'tm_1')).toBe('nothing-unread');
    await readStates.recordMessage('org_1', recorded('ch_1', 4, 'pat_1'));
    expect(await service.send('org_1', 'tm_1')).toBe('sent');
    expect(mailer.sent[1].text).toContain('You have 1 unread message in 1 conversation on Wellifiy.');
  });

  it('no email when the messages were read before the digest fired', async () => {
    await readStates.recordMessage('org_1', recorded('ch_1', 1, 'tm_1'));
    await readStates.markRead('org_1', 'ch_1', 'pat_1', 1, new Date());

    expect(await service.send('org_1', 'pat_1')).toBe('nothing-unread');
    expect(mailer.sent).toEqual([]);
  });

  it('no email without an address, for an archived team member, with emails off, or without SMTP', async () => {
    await readStates.recordMessage('org_1', recorded('ch_2', 1, 'tm_1'));
    expect(await service.send('org_1', 'tm_2')).toBe('no-address'); // unknown to the contact projection

    await readStates.recordMessage('org_1', recorded('ch_1', 2, 'pat_1'));
    await recipients.update('org_1', 'tm_1', { archived: true });
    expect(await service.send('org_1', 'tm_1')).toBe('no-address');

    await settings.save('org_1', 'pat_1', { emailFrequency: 'off', emailDelayMinutes: 5, pushEnabled: true, mutedChannelIds: [] }, 0, 'pat_1');
    expect(await service.send('org_1', 'pat_1')).toBe('off');

    mailer.enabled = false;
    expect(await service.send('org_1', 'pat_1')).toBe('mail-disabled');
    expect(mailer.sent).toEqual([]);
  });
});
