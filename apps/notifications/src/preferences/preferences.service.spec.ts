import 'reflect-metadata';
import { Actor } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { NotificationsConfig } from '../config/notifications.config';
import { DigestScheduler } from '../digest/digest.scheduler';
import { BadgePublisher } from '../read-state/badge.publisher';
import { ReadStateService } from '../read-state/read-state.service';
import { DEFAULTS, FakeRecipientsRepository, FakeSettingsRepository } from '../testing/fakes';
import { PreferencesService } from './preferences.service';

/** Stands in for the read-state service (who is a member of which channel) and the badge publisher (which badges were announced). */
class FakeReadState {
  readonly memberships = new Set<string>(['pat_1|ch_1', 'tm_1|ch_1']);
  readonly badgesFor: string[][] = [];

  async requireMember(actor: Actor, channelId: string): Promise<void> {
    if (!this.memberships.has(`${actor.userId}|${channelId}`)) throw Object.assign(new Error('not found'), { code: 'NOT_FOUND' });
  }

  async publish(_orgId: string, userIds: string[]): Promise<void> {
    this.badgesFor.push(userIds);
  }
}

describe('PreferencesService', () => {
  let repo: FakeSettingsRepository;
  let recipients: FakeRecipientsRepository;
  let readState: FakeReadState;
  const rescheduled: string[] = [];
  let service: PreferencesService;

  beforeEach(() => {
    repo = new FakeSettingsRepository();
    recipients = new FakeRecipientsRepository();
    readState = new FakeReadState();
    rescheduled.length = 0;
    const scheduler = { reschedule: async (_o: string, userId: string) => void rescheduled.push(userId) };
    service = new PreferencesService(repo, recipients, readState as unknown as ReadStateService, readState as unknown as BadgePublisher, scheduler as unknown as DigestScheduler, DEFAULTS as unknown as NotificationsConfig);
    recipients.add('org_1', 'pat_1', 'patient');
    recipients.add('org_1', 'pat_2', 'patient');
    recipients.add('org_1', 'tm_1', 'team_member');
    recipients.add('org_1', 'tm_2', 'team_member');
    recipients.add('org_2', 'pat_9', 'patient');
  });

  it('without stored settings, the configured defaults apply', async () => {
    expect(await service.get(patientActor())).toEqual({
      userId: 'pat_1', emailFrequency: 'after_delay', emailDelayMinutes: 15, pushEnabled: true, mutedChannelIds: [], updatedAt: null, updatedBy: null,
    });
  });

  it('a user changes their own: a partial PUT keeps the other fields; a new email timing reschedules the waiting digest', async () => {
    await service.put(patientActor(), undefined, { pushEnabled: false });
    const after = await service.put(patientActor(), undefined, { emailFrequency: 'daily' });
    expect(after).toMatchObject({ emailFrequency: 'daily', emailDelayMinutes: 15, pushEnabled: false, updatedBy: 'pat_1' });
    expect(rescheduled).toEqual(['pat_1']);
  });

  it('muting announces the new badge; only the user’s own channels can be muted', async () => {
    await service.put(patientActor(), undefined, { mutedChannelIds: ['ch_1', 'ch_1'] });
    expect(await service.get(patientActor())).toMatchObject({ mutedChannelIds: ['ch_1'] });
    expect(readState.badgesFor).toEqual([['pat_1']]);
    await expect(service.put(patientActor(), undefined, { mutedChannelIds: ['ch_other'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("a team member may change a patient's settings (recorded as changed by them)", async () => {
    const view = await service.put(teamMemberActor(), 'pat_1', { emailFrequency: 'off', mutedChannelIds: ['ch_1'] });
    expect(view).toMatchObject({ userId: 'pat_1', emailFrequency: 'off', mutedChannelIds: ['ch_1'], updatedBy: 'tm_1' });
    expect(await service.get(patientActor())).toMatchObject({ emailFrequency: 'off' });
  });

  it.each([
    ['a patient, for another patient', patientActor(), 'pat_2', 'FORBIDDEN'],
    ['a patient, for a team member', patientActor(), 'tm_1', 'FORBIDDEN'],
    ['a team member, for another team member', teamMemberActor(), 'tm_2', 'FORBIDDEN'],
    ['a manager, for another team member', managerActor(), 'tm_2', 'FORBIDDEN'],
    ['a team member, for a patient of another organisation', teamMemberActor(), 'pat_9', 'NOT_FOUND'],
    ['a team member, for an unknown user', teamMemberActor(), 'nobody', 'NOT_FOUND'],
  ])('%s: %s', async (_, actor, target, code) => {
    await expect(service.put(actor, target, { pushEnabled: false })).rejects.toMatchObject({ code });
    await expect(service.get(actor, target)).rejects.toMatchObject({ code });
    expect(repo.stored.size).toBe(0);
  });

  it('a concurrent change is not lost: the patch is applied again on the newer settings', async () => {
    await service.put(patientActor(), undefined, { pushEnabled: false });
    const realSave = repo.save.bind(repo);
    let raced = false;
    repo.save = async (...args) => {
      if (!raced) {
        raced = true;
        await realSave('org_1', 'pat_1', { emailFrequency: 'daily', emailDelayMinutes: 15, pushEnabled: false, mutedChannelIds: [] }, 1, 'other-device');
      }
      return realSave(...args);
    };
    const view = await service.put(patientActor(), undefined, { emailDelayMinutes: 40 });
    expect(view).toMatchObject({ emailFrequency: 'daily', emailDelayMinutes: 40, pushEnabled: false });
  });
});
