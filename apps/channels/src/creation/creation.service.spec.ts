import 'reflect-metadata';
import { CHANNEL_MEMBERS_MAX, Events } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { FakeChannelsRepository, FakeDirectoryRepository } from '../channels/channels.fakes';
import { ChannelsConfig } from '../config/channels.config';
import { DirectoryService } from '../directory/directory.service';
import { CreationService, dmKey } from './creation.service';

describe('CreationService', () => {
  let repo: FakeChannelsRepository;
  let directory: DirectoryService;
  let service: CreationService;

  const tm1 = teamMemberActor({ userId: 'tm_1' });
  const manager = managerActor();

  beforeEach(async () => {
    repo = new FakeChannelsRepository();
    directory = new DirectoryService(new FakeDirectoryRepository());
    service = new CreationService(repo, directory, new ChannelsConfig());
    await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace' });
    await directory.patientCreated('org_1', { patientId: 'pat_2', firstName: 'Bo', lastName: 'Bellweather' });
    await directory.patientCreated('org_2', { patientId: 'pat_elsewhere', firstName: 'Far', lastName: 'Away' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_2', firstName: 'Joan', lastName: 'Clarke' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_3', firstName: 'Alan', lastName: 'Turing' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_manager', firstName: 'Kath', lastName: 'Johnson' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_gone', firstName: 'Old', lastName: 'Timer' });
    await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_gone' });
    await directory.teamMemberCreated('org_2', { teamMemberId: 'tm_elsewhere', firstName: 'Far', lastName: 'Away' });
  });

  describe(`issue 7: a channel is created with at most ${CHANNEL_MEMBERS_MAX} members, the creator included`, () => {
    it('one more is refused with VALIDATION_FAILED naming memberIds and the cap; nothing is stored', async () => {
      const others = Array.from({ length: CHANNEL_MEMBERS_MAX }, (_, i) => `tm_x${i}`);

      await expect(service.create({ actor: tm1, type: 'dm', memberIds: others })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'memberIds', problems: [`at most ${CHANNEL_MEMBERS_MAX} members, the creator included`] }],
      });
      expect(repo.channels).toEqual([]);
    });

    it('the cap comes from the config (CHANNEL_MEMBERS_MAX) when set lower', async () => {
      service = new CreationService(repo, directory, Object.assign(new ChannelsConfig(), { CHANNEL_MEMBERS_MAX: 3 }));

      await expect(service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_3', 'tm_manager'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_3'] })).resolves.toMatchObject({ created: true });
    });
  });

  const nothingCreated = (): void => {
    expect(repo.channels).toEqual([]);
    expect(repo.outbox).toEqual([]);
  };

  describe('who may create what', () => {
    it.each(['group', 'staff', 'dm'] as const)('a patient cannot create a %s channel (FORBIDDEN)', async (type) => {
      await expect(service.create({ actor: patientActor({ perms: ['messaging:manage'] }), type, name: 'x', patientId: type === 'staff' ? 'pat_1' : undefined, memberIds: ['tm_1'] }))
        .rejects.toMatchObject({ code: 'FORBIDDEN' });
      nothingCreated();
    });

    it('rule 6: a group needs messaging:manage (FORBIDDEN without it)', async () => {
      await expect(service.create({ actor: tm1, type: 'group', name: 'Walkers', memberIds: ['pat_1'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      nothingCreated();
    });

    it('rule 6: a manager creates a group of patients and team members with a trimmed name', async () => {
      const { channel, created } = await service.create({ actor: manager, type: 'group', name: '  Walkers  ', memberIds: ['pat_1', 'pat_2', 'tm_2'] });

      expect(created).toBe(true);
      expect(channel).toMatchObject({
        orgId: 'org_1', type: 'group', name: 'Walkers', patientId: null, needsStaffing: false, archived: false,
        members: [
          { userId: 'tm_manager', kind: 'team_member' },
          { userId: 'pat_1', kind: 'patient' },
          { userId: 'pat_2', kind: 'patient' },
          { userId: 'tm_2', kind: 'team_member' },
        ],
      });
      expect(repo.channels).toHaveLength(1);
      expect(repo.channels[0]).toMatchObject({ createdBy: 'tm_manager', version: 1, uniqueKey: channel.id });
    });

    it.each([undefined, '', '   '])('a group needs a name (VALIDATION_FAILED naming name) for %p', async (name) => {
      await expect(service.create({ actor: manager, type: 'group', name, memberIds: ['pat_1'] }))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'name' }] });
      nothingCreated();
    });

    it('a group needs at least one patient (VALIDATION_FAILED naming memberIds)', async () => {
      await expect(service.create({ actor: manager, type: 'group', name: 'Staff only', memberIds: ['tm_2'] }))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'memberIds' }] });
      nothingCreated();
    });

    it.each(['group', 'dm'] as const)('a %s channel takes no patientId (VALIDATION_FAILED naming patientId)', async (type) => {
      await expect(service.create({ actor: manager, type, name: 'N', patientId: 'pat_1', memberIds: ['pat_1', 'tm_2'] }))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'patientId' }] });
      nothingCreated();
    });

    it('a staff channel needs a patientId (VALIDATION_FAILED naming patientId)', async () => {
      await expect(service.create({ actor: tm1, type: 'staff', memberIds: ['tm_2'] }))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'patientId', problems: [expect.stringContaining('patientId')] }] });
      nothingCreated();
    });

    it('a staff channel about an unknown patient gets PATIENT_NOT_FOUND', async () => {
      await expect(service.create({ actor: tm1, type: 'staff', patientId: 'pat_missing', memberIds: ['tm_2'] })).rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
      nothingCreated();
    });

    it('rule 1: a staff channel about a patient of another organisation gets PATIENT_NOT_FOUND', async () => {
      await expect(service.create({ actor: tm1, type: 'staff', patientId: 'pat_elsewhere', memberIds: ['tm_2'] })).rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
    });

    it('any team member creates a staff channel about a patient; the patient is not a member', async () => {
      const { channel, created } = await service.create({ actor: tm1, type: 'staff', patientId: 'pat_1', memberIds: ['tm_2'] });

      expect(created).toBe(true);
      expect(channel).toMatchObject({ type: 'staff', patientId: 'pat_1', name: null });
      expect(channel.members).toEqual([{ userId: 'tm_1', kind: 'team_member' }, { userId: 'tm_2', kind: 'team_member' }]);
    });
  });

  describe('members', () => {
    it.each(['staff', 'dm'] as const)('rule 2: a patient in memberIds of a %s channel gets PATIENT_NOT_ALLOWED naming them', async (type) => {
      await expect(service.create({ actor: tm1, type, patientId: type === 'staff' ? 'pat_1' : undefined, memberIds: ['tm_2', 'pat_1'] }))
        .rejects.toMatchObject({ code: 'PATIENT_NOT_ALLOWED', details: { userIds: ['pat_1'] } });
      nothingCreated();
    });

    it('unknown and other-organisation ids get UNKNOWN_USER listing exactly them', async () => {
      await expect(service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_nobody', 'tm_elsewhere', 'pat_elsewhere', 'tm_3'] }))
        .rejects.toMatchObject({ code: 'UNKNOWN_USER', details: { userIds: ['tm_nobody', 'tm_elsewhere', 'pat_elsewhere'] } });
      nothingCreated();
    });

    it('item 2 (archived access): a channel naming an archived team member is refused with CANNOT_ADD_ARCHIVED_MEMBER listing them', async () => {
      const refusal = service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_gone'] });
      await expect(refusal).rejects.toMatchObject({ code: 'CANNOT_ADD_ARCHIVED_MEMBER', details: { userIds: ['tm_gone'] } });
      await expect(refusal).rejects.toThrow(/archived by the staff directory.*tm_gone/);
      nothingCreated();
    });

    it('the creator is always a member, listed first, whether named in memberIds or not', async () => {
      const without = await service.create({ actor: tm1, type: 'staff', patientId: 'pat_1', memberIds: ['tm_2'] });
      const withSelf = await service.create({ actor: tm1, type: 'staff', patientId: 'pat_1', memberIds: ['tm_1', 'tm_2', 'tm_1'] });

      expect(without.channel.members.map((m) => m.userId)).toEqual(['tm_1', 'tm_2']);
      expect(withSelf.channel.members.map((m) => m.userId)).toEqual(['tm_1', 'tm_2']);
      expect(repo.channels.every((c) => c.members[0].userId === 'tm_1' && c.members[0].kind === 'team_member')).toBe(true);
    });

    it('a channel with only the creator is allowed for a dm', async () => {
      const { channel } = await service.create({ actor: tm1, type: 'dm', memberIds: [] });

      expect(channel.members).toEqual([{ userId: 'tm_1', kind: 'team_member' }]);
    });
  });

  describe('dm: same member set → same DM', () => {
    it('the same member set in any order, with duplicates, creator included or not, returns the same DM with created=false', async () => {
      const first = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_3'] });
      const reordered = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_3', 'tm_2', 'tm_3'] });
      const withCreator = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_1', 'tm_3', 'tm_2'] });
      const byAnother = await service.create({ actor: teamMemberActor({ userId: 'tm_3' }), type: 'dm', memberIds: ['tm_1', 'tm_2'] });

      expect(first.created).toBe(true);
      for (const again of [reordered, withCreator, byAnother]) {
        expect(again.created).toBe(false);
        expect(again.channel.id).toBe(first.channel.id);
      }
      expect(repo.channels).toHaveLength(1);
      expect(repo.outbox).toHaveLength(1);
      expect(repo.channels[0].uniqueKey).toBe(dmKey(['tm_1', 'tm_2', 'tm_3']));
    });

    it('a different member set is a different DM', async () => {
      const a = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2'] });
      const b = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2', 'tm_3'] });

      expect(b.created).toBe(true);
      expect(b.channel.id).not.toBe(a.channel.id);
      expect(repo.channels).toHaveLength(2);
    });

    it('the same member set in another organisation is another DM', async () => {
      await directory.teamMemberCreated('org_2', { teamMemberId: 'tm_2', firstName: 'J', lastName: 'C' });
      const a = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2'] });
      const b = await service.create({ actor: teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), type: 'dm', memberIds: ['tm_2'] });

      expect(b.created).toBe(true);
      expect(b.channel.orgId).toBe('org_2');
      expect(b.channel.id).not.toBe(a.channel.id);
    });

    it('a lost insert race for the same DM returns the winner with created=false', async () => {
      repo.beforeInsert = () => {
        repo.beforeInsert = undefined;
        repo.channels.push(winnerDm());
      };

      const result = await service.create({ actor: tm1, type: 'dm', memberIds: ['tm_2'] });

      expect(result).toMatchObject({ created: false, channel: { id: 'ch_winner' } });
      expect(repo.channels).toHaveLength(1);
      expect(repo.outbox).toEqual([]);
    });
  });

  describe('channel.created', () => {
    it('is emitted once with the snapshot: ids and kinds only, no names', async () => {
      const { channel } = await service.create({ actor: manager, type: 'group', name: 'Walkers', memberIds: ['pat_1', 'tm_2'], correlationId: 'corr-7' });

      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({ type: Events.ChannelCreated, orgId: 'org_1', correlationId: 'corr-7' });
      expect(repo.outbox[0].type).toBe('channel.created');
      expect(repo.outbox[0].data).toEqual({
        actorId: 'tm_manager',
        channel: {
          id: channel.id, type: 'group', patientId: null, needsStaffing: false, version: 1,
          members: [{ userId: 'tm_manager', kind: 'team_member' }, { userId: 'pat_1', kind: 'patient' }, { userId: 'tm_2', kind: 'team_member' }],
        },
      });
      const wire = JSON.stringify(repo.outbox);
      for (const name of ['Ada', 'Lovelace', 'Joan', 'Clarke', 'Kath', 'Johnson']) expect(wire).not.toContain(name);
    });
  });

  function winnerDm() {
    const now = new Date('2026-01-02T00:00:00.000Z');
    const members = [
      { userId: 'tm_1', kind: 'team_member' as const, joinedAt: now, addedBy: 'tm_2' },
      { userId: 'tm_2', kind: 'team_member' as const, joinedAt: now, addedBy: 'tm_2' },
    ];
    return {
      _id: 'ch_winner', orgId: 'org_1', type: 'dm' as const, patientId: null, name: null, uniqueKey: dmKey(['tm_2', 'tm_1']),
      members, memberIds: ['tm_1', 'tm_2'], archivedBy: [], needsStaffing: false, createdBy: 'tm_2', createdAt: now, updatedAt: now, version: 1,
    };
  }
});
