import 'reflect-metadata';
import { CHANNEL_MEMBERS_MAX, Events } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { Channel, toView } from '../channels/channel.mapper';
import { channelFixture, FakeChannelsRepository, FakeDirectoryRepository } from '../channels/channels.fakes';
import { ChannelsConfig } from '../config/channels.config';
import { DirectoryService } from '../directory/directory.service';
import { MembersService } from './members.service';

describe('MembersService', () => {
  let repo: FakeChannelsRepository;
  let directory: DirectoryService;
  let service: MembersService;

  const tm1 = teamMemberActor({ userId: 'tm_1' });
  const tm2 = teamMemberActor({ userId: 'tm_2' });
  const manager = managerActor();
  const pat1 = patientActor({ userId: 'pat_1' });
  const pat2 = patientActor({ userId: 'pat_2' });

  const stored = (id: string): Channel => {
    const c = repo.channels.find((x) => x._id === id);
    if (!c) throw new Error(`fixture ${id} missing`);
    return c;
  };

  beforeEach(async () => {
    repo = new FakeChannelsRepository();
    directory = new DirectoryService(new FakeDirectoryRepository());
    service = new MembersService(repo, directory, new ChannelsConfig());
    await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', allocationClinicianId: 'tm_1' });
    await directory.patientCreated('org_1', { patientId: 'pat_2', firstName: 'Bo', lastName: 'Bellweather' });
    await directory.patientCreated('org_1', { patientId: 'pat_3', firstName: 'Cy', lastName: 'Cartwright' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper', title: 'RN' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_2', firstName: 'Joan', lastName: 'Clarke' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_3', firstName: 'Alan', lastName: 'Turing' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_manager', firstName: 'Kath', lastName: 'Johnson' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_gone', firstName: 'Old', lastName: 'Timer' });
    await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_gone' });
    await directory.teamMemberCreated('org_2', { teamMemberId: 'tm_elsewhere', firstName: 'Far', lastName: 'Away' });

    repo.channels.push(
      channelFixture({ id: 'ch_care', type: 'care_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_service', type: 'service_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member'], ['tm_2', 'team_member']] }),
      channelFixture({ id: 'ch_staff', type: 'staff', patientId: 'pat_1', members: [['tm_1', 'team_member']] }),
      channelFixture({ id: 'ch_group', type: 'group', members: [['pat_1', 'patient'], ['pat_2', 'patient'], ['tm_1', 'team_member'], ['tm_manager', 'team_member']] }),
      channelFixture({ id: 'ch_group_solo', type: 'group', members: [['pat_1', 'patient'], ['tm_manager', 'team_member']] }),
      channelFixture({ id: 'ch_dm', type: 'dm', members: [['tm_1', 'team_member'], ['tm_2', 'team_member']] }),
      channelFixture({ id: 'ch_other_org', type: 'care_team', orgId: 'org_2', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
    );
  });

  describe('add', () => {
    describe(`issue 7: a channel has at most ${CHANNEL_MEMBERS_MAX} members`, () => {
      const staffOf = (n: number): [string, 'team_member'][] => Array.from({ length: n }, (_, i) => [i === 0 ? 'tm_1' : `tm_x${i}`, 'team_member']);

      it('adding one more to a full channel is refused with CHANNEL_MEMBER_LIMIT_REACHED naming the cap, and nothing changes', async () => {
        repo.channels.push(channelFixture({ id: 'ch_full', type: 'staff', patientId: 'pat_1', members: staffOf(CHANNEL_MEMBERS_MAX) }));

        await expect(service.add({ actor: tm1, channelId: 'ch_full', userId: 'tm_3' })).rejects.toMatchObject({
          code: 'CHANNEL_MEMBER_LIMIT_REACHED',
          message: expect.stringContaining(`at most ${CHANNEL_MEMBERS_MAX} members`),
          details: { limit: CHANNEL_MEMBERS_MAX },
        });
        expect(stored('ch_full').members).toHaveLength(CHANNEL_MEMBERS_MAX);
        expect(repo.outbox).toEqual([]);
      });

      it('the cap comes from the config (CHANNEL_MEMBERS_MAX) when set lower', async () => {
        service = new MembersService(repo, directory, Object.assign(new ChannelsConfig(), { CHANNEL_MEMBERS_MAX: 3 }));
        repo.channels.push(channelFixture({ id: 'ch_three', type: 'staff', patientId: 'pat_1', members: staffOf(3) }));

        await expect(service.add({ actor: tm1, channelId: 'ch_three', userId: 'tm_3' })).rejects.toMatchObject({ code: 'CHANNEL_MEMBER_LIMIT_REACHED', details: { limit: 3 } });
      });

      it('the last free place can still be taken', async () => {
        repo.channels.push(channelFixture({ id: 'ch_almost', type: 'staff', patientId: 'pat_1', members: staffOf(CHANNEL_MEMBERS_MAX - 1) }));

        await service.add({ actor: tm1, channelId: 'ch_almost', userId: 'tm_3' });

        expect(stored('ch_almost').members).toHaveLength(CHANNEL_MEMBERS_MAX);
      });
    });

    it('rule 6: adding a group participant without messaging:manage is FORBIDDEN and changes nothing', async () => {
      await expect(service.add({ actor: tm1, channelId: 'ch_group', userId: 'pat_3' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(stored('ch_group').memberIds).toEqual(['pat_1', 'pat_2', 'tm_1', 'tm_manager']);
      expect(repo.outbox).toEqual([]);
    });

    it('rule 6: a member with messaging:manage adds a patient and a team member to a group', async () => {
      const view = await service.add({ actor: manager, channelId: 'ch_group', userId: 'pat_3' });
      await service.add({ actor: manager, channelId: 'ch_group', userId: 'tm_2' });

      expect(view.members).toContainEqual({ userId: 'pat_3', kind: 'patient' });
      expect(stored('ch_group').memberIds).toEqual(['pat_1', 'pat_2', 'tm_1', 'tm_manager', 'pat_3', 'tm_2']);
      expect(stored('ch_group').members.find((m) => m.userId === 'tm_2')).toMatchObject({ kind: 'team_member', addedBy: 'tm_manager' });
    });

    it.each(['ch_care', 'ch_staff', 'ch_service'])('a team member of a %s channel adds another team member (no messaging:manage needed)', async (id) => {
      const view = await service.add({ actor: tm1, channelId: id, userId: 'tm_3' });

      expect(view.id).toBe(id);
      expect(view.members).toContainEqual({ userId: 'tm_3', kind: 'team_member' });
      expect(stored(id).memberIds).toContain('tm_3');
    });

    it.each(['ch_staff', 'ch_care', 'ch_service'])('rule 2: a patient cannot be added to %s (PATIENT_NOT_ALLOWED)', async (id) => {
      await expect(service.add({ actor: tm1, channelId: id, userId: 'pat_2' })).rejects.toMatchObject({ code: 'PATIENT_NOT_ALLOWED' });
      expect(stored(id).memberIds).not.toContain('pat_2');
      expect(repo.outbox).toEqual([]);
    });

    it('rule 2: a patient cannot be added to a dm; the members of a DM are fixed (CONFLICT)', async () => {
      await expect(service.add({ actor: tm1, channelId: 'ch_dm', userId: 'pat_2' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(service.add({ actor: tm1, channelId: 'ch_dm', userId: 'tm_3' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(stored('ch_dm').memberIds).toEqual(['tm_1', 'tm_2']);
    });

    it('adding someone who is already a member gets ALREADY_MEMBER', async () => {
      await expect(service.add({ actor: tm1, channelId: 'ch_service', userId: 'tm_2' })).rejects.toMatchObject({ code: 'ALREADY_MEMBER' });
      expect(stored('ch_service').version).toBe(1);
    });

    it('item 2 (archived access): adding an archived team member is refused with CANNOT_ADD_ARCHIVED_MEMBER naming them and the reason', async () => {
      const refusal = service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_gone' });
      await expect(refusal).rejects.toMatchObject({ code: 'CANNOT_ADD_ARCHIVED_MEMBER', details: { userIds: ['tm_gone'] } });
      await expect(refusal).rejects.toThrow(/archived by the staff directory.*tm_gone/);
      expect(stored('ch_care').memberIds).toEqual(['pat_1', 'tm_1']);
      expect(repo.outbox).toEqual([]);
    });

    it('an unknown user gets UNKNOWN_USER naming them', async () => {
      await expect(service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_nobody' }))
        .rejects.toMatchObject({ code: 'UNKNOWN_USER', details: { userIds: ['tm_nobody'] } });
      await expect(service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_elsewhere' }))
        .rejects.toMatchObject({ code: 'UNKNOWN_USER', details: { userIds: ['tm_elsewhere'] } });
    });

    it('a patient member cannot add members (FORBIDDEN)', async () => {
      await expect(service.add({ actor: pat1, channelId: 'ch_group', userId: 'pat_3' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('rule 1: a non-member gets NOT_FOUND, not FORBIDDEN, even with messaging:manage', async () => {
      await expect(service.add({ actor: tm2, channelId: 'ch_care', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.add({ actor: manager, channelId: 'ch_care', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.add({ actor: pat2, channelId: 'ch_care', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.add({ actor: tm1, channelId: 'ch_missing', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(stored('ch_care').memberIds).toEqual(['pat_1', 'tm_1']);
    });

    it('rule 1: a channel of another organisation is NOT_FOUND', async () => {
      await expect(service.add({ actor: teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), channelId: 'ch_care', userId: 'tm_3' }))
        .rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.add({ actor: tm1, channelId: 'ch_other_org', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('emits channel.member.added with the version+1 snapshot (ids and kinds only)', async () => {
      await service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_3', reason: 'cover', correlationId: 'corr-9' });

      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({ type: Events.ChannelMemberAdded, orgId: 'org_1', correlationId: 'corr-9' });
      expect(repo.outbox[0].type).toBe('channel.member.added');
      expect(repo.outbox[0].data).toEqual({
        channel: {
          id: 'ch_care', type: 'care_team', patientId: 'pat_1', needsStaffing: false, version: 2,
          members: [{ userId: 'pat_1', kind: 'patient' }, { userId: 'tm_1', kind: 'team_member' }, { userId: 'tm_3', kind: 'team_member' }],
        },
        userId: 'tm_3', userKind: 'team_member', actorId: 'tm_1', reason: 'cover',
      });
      expect(stored('ch_care').version).toBe(2);
      const wire = JSON.stringify(repo.outbox);
      for (const name of ['Ada', 'Lovelace', 'Alan', 'Turing']) expect(wire).not.toContain(name);
    });

    it('rule 5: adding a team member to a channel flagged needsStaffing clears the flag', async () => {
      stored('ch_care').needsStaffing = true;

      const view = await service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_3' });

      expect(view.needsStaffing).toBe(false);
      expect(stored('ch_care').needsStaffing).toBe(false);
      expect(repo.outbox[0].data).toMatchObject({ channel: { needsStaffing: false } });
    });

    it('adding a patient to a group flagged needsStaffing keeps the flag', async () => {
      stored('ch_group').needsStaffing = true;

      const view = await service.add({ actor: manager, channelId: 'ch_group', userId: 'pat_3' });

      expect(view.needsStaffing).toBe(true);
    });
  });

  describe('remove and leave', () => {
    it.each(['ch_care', 'ch_staff'])('rule 4: the last team member cannot leave a %s channel (CHANNEL_LAST_TEAM_MEMBER) and nothing changes', async (id) => {
      const before = structuredClone(stored(id));

      await expect(service.leave(tm1, id)).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });

      expect(stored(id)).toEqual(before);
      expect(repo.outbox).toEqual([]);
    });

    it('rule 4: the last team member cannot leave a service_team channel (CHANNEL_LAST_TEAM_MEMBER)', async () => {
      await service.leave(tm2, 'ch_service');
      const before = structuredClone(stored('ch_service'));

      await expect(service.leave(tm1, 'ch_service')).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });

      expect(stored('ch_service')).toEqual(before);
      expect(stored('ch_service').memberIds).toEqual(['pat_1', 'tm_1']);
    });

    it('rule 4: the last team member cannot leave a group channel (CHANNEL_LAST_TEAM_MEMBER)', async () => {
      const before = structuredClone(stored('ch_group_solo'));

      await expect(service.leave(manager, 'ch_group_solo')).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });

      expect(stored('ch_group_solo')).toEqual(before);
      expect(repo.outbox).toEqual([]);
    });

    it('rule 4: once a manager removed the other team member of a group, they cannot remove themselves (CHANNEL_LAST_TEAM_MEMBER)', async () => {
      await service.remove({ actor: manager, channelId: 'ch_group', userId: 'tm_1' });

      await expect(service.remove({ actor: manager, channelId: 'ch_group', userId: 'tm_manager' })).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });
      expect(stored('ch_group').memberIds).toEqual(['pat_1', 'pat_2', 'tm_manager']);
      expect(repo.outbox).toHaveLength(1);
    });

    it('rule 4: after another member removed them, the remaining last team member of a care_team cannot leave (CHANNEL_LAST_TEAM_MEMBER)', async () => {
      await service.add({ actor: tm1, channelId: 'ch_care', userId: 'tm_2' });
      await service.remove({ actor: tm2, channelId: 'ch_care', userId: 'tm_1' });
      repo.outbox.length = 0;

      await expect(service.leave(tm2, 'ch_care')).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });
      expect(stored('ch_care').memberIds).toEqual(['pat_1', 'tm_2']);
      expect(repo.outbox).toEqual([]);
    });

    it('rule 7: a team member may leave while another team member remains', async () => {
      expect(await service.leave(tm2, 'ch_service', 'corr-1')).toEqual({ left: true });

      expect(stored('ch_service').memberIds).toEqual(['pat_1', 'tm_1']);
      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({
        type: Events.ChannelMemberRemoved, orgId: 'org_1', correlationId: 'corr-1',
        data: { userId: 'tm_2', actorId: 'tm_2', reason: 'left', channel: { id: 'ch_service', version: 2 } },
      });
    });

    it('rule 4 does not apply to dm: dm members may leave even when they are the last one', async () => {
      await service.leave(tm1, 'ch_dm');
      await service.leave(tm2, 'ch_dm');

      expect(stored('ch_dm').memberIds).toEqual([]);
      expect(repo.outbox.map((e) => e.type)).toEqual(['channel.member.removed', 'channel.member.removed']);
    });

    it('a DM that someone left no longer stands for its original member set (uniqueKey detached)', async () => {
      stored('ch_dm').uniqueKey = 'dm:original';

      await service.leave(tm1, 'ch_dm');

      expect(stored('ch_dm').uniqueKey).toBe('ch_dm');
    });

    it.each(['ch_care', 'ch_service'])('rule 7: a patient cannot leave a %s channel (PATIENT_CANNOT_LEAVE)', async (id) => {
      await expect(service.leave(pat1, id)).rejects.toMatchObject({ code: 'PATIENT_CANNOT_LEAVE' });
      await expect(service.remove({ actor: pat1, channelId: id, userId: 'pat_1' })).rejects.toMatchObject({ code: 'PATIENT_CANNOT_LEAVE' });
      expect(stored(id).memberIds).toContain('pat_1');
      expect(repo.outbox).toEqual([]);
    });

    it('rule 7: a patient can leave a group', async () => {
      expect(await service.leave(pat2, 'ch_group')).toEqual({ left: true });

      expect(stored('ch_group').memberIds).toEqual(['pat_1', 'tm_1', 'tm_manager']);
      expect(repo.outbox[0]).toMatchObject({ type: 'channel.member.removed', data: { userId: 'pat_2', actorId: 'pat_2' } });
    });

    it('rule 2: the patient of a care_team channel cannot be removed (PATIENT_NOT_ALLOWED)', async () => {
      await expect(service.remove({ actor: tm1, channelId: 'ch_care', userId: 'pat_1' })).rejects.toMatchObject({ code: 'PATIENT_NOT_ALLOWED' });
      expect(stored('ch_care').memberIds).toEqual(['pat_1', 'tm_1']);
    });

    it('removing a non-member gets NOT_A_MEMBER', async () => {
      await expect(service.remove({ actor: tm1, channelId: 'ch_service', userId: 'tm_3' })).rejects.toMatchObject({ code: 'NOT_A_MEMBER' });
      expect(stored('ch_service').version).toBe(1);
    });

    it('rule 6: removing a group participant needs messaging:manage (FORBIDDEN)', async () => {
      await expect(service.remove({ actor: tm1, channelId: 'ch_group', userId: 'pat_2' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(stored('ch_group').memberIds).toContain('pat_2');
    });

    it('rule 6: a manager removes a patient from a group', async () => {
      const view = await service.remove({ actor: manager, channelId: 'ch_group', userId: 'pat_2', reason: 'moved' });

      expect(view.members.map((m) => m.userId)).toEqual(['pat_1', 'tm_1', 'tm_manager']);
      expect(repo.outbox[0]).toMatchObject({ type: 'channel.member.removed', data: { userId: 'pat_2', actorId: 'tm_manager', reason: 'moved' } });
    });

    it('a patient cannot remove others (FORBIDDEN)', async () => {
      await expect(service.remove({ actor: pat1, channelId: 'ch_group', userId: 'pat_2' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(stored('ch_group').memberIds).toContain('pat_2');
    });

    it('DM members cannot be removed by another member (FORBIDDEN)', async () => {
      await expect(service.remove({ actor: tm1, channelId: 'ch_dm', userId: 'tm_2' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(stored('ch_dm').memberIds).toEqual(['tm_1', 'tm_2']);
    });

    it('rule 1: a non-member removing someone gets NOT_FOUND, not FORBIDDEN', async () => {
      await expect(service.remove({ actor: tm2, channelId: 'ch_care', userId: 'tm_1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.leave(tm2, 'ch_care')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.remove({ actor: teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), channelId: 'ch_service', userId: 'tm_2' }))
        .rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('removing yourself is leaving (rule 4 still applies)', async () => {
      const view = await service.remove({ actor: tm2, channelId: 'ch_service', userId: 'tm_2' });

      expect(view.members.map((m) => m.userId)).toEqual(['pat_1', 'tm_1']);
      expect(repo.outbox[0]).toMatchObject({ type: 'channel.member.removed', data: { userId: 'tm_2', actorId: 'tm_2', reason: 'left' } });
      await expect(service.remove({ actor: tm1, channelId: 'ch_service', userId: 'tm_1' })).rejects.toMatchObject({ code: 'CHANNEL_LAST_TEAM_MEMBER' });
    });

    it('emits channel.member.removed with the version+1 snapshot', async () => {
      await service.remove({ actor: tm1, channelId: 'ch_service', userId: 'tm_2', correlationId: 'corr-2' });

      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({ type: Events.ChannelMemberRemoved, orgId: 'org_1', correlationId: 'corr-2' });
      expect(repo.outbox[0].data).toEqual({
        channel: {
          id: 'ch_service', type: 'service_team', patientId: 'pat_1', needsStaffing: false, version: 2,
          members: [{ userId: 'pat_1', kind: 'patient' }, { userId: 'tm_1', kind: 'team_member' }],
        },
        userId: 'tm_2', actorId: 'tm_1',
      });
    });

    it('rule 8: the archive state of a removed user is dropped', async () => {
      stored('ch_service').archivedBy = ['tm_2', 'pat_1'];

      await service.remove({ actor: tm1, channelId: 'ch_service', userId: 'tm_2' });

      expect(stored('ch_service').archivedBy).toEqual(['pat_1']);
    });
  });

  describe('setArchived (rule 8)', () => {
    it('rule 8: archiving adds the user to archivedBy and emits channel.archived for that user', async () => {
      const view = await service.setArchived(tm1, 'ch_service', true, 'corr-3');

      expect(view).toMatchObject({ id: 'ch_service', archived: true });
      expect(stored('ch_service').archivedBy).toEqual(['tm_1']);
      expect(stored('ch_service').version).toBe(2);
      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({ type: Events.ChannelArchived, orgId: 'org_1', correlationId: 'corr-3' });
      expect(repo.outbox[0].data).toEqual({ channelId: 'ch_service', userId: 'tm_1' });
    });

    it('rule 8: archiving twice is a no-op (no second event)', async () => {
      await service.setArchived(tm1, 'ch_service', true);
      const again = await service.setArchived(tm1, 'ch_service', true);

      expect(again.archived).toBe(true);
      expect(stored('ch_service').archivedBy).toEqual(['tm_1']);
      expect(stored('ch_service').version).toBe(2);
      expect(repo.outbox).toHaveLength(1);
    });

    it('rule 8: unarchiving restores and emits channel.unarchived', async () => {
      await service.setArchived(pat1, 'ch_care', true);
      const view = await service.setArchived(pat1, 'ch_care', false);

      expect(view.archived).toBe(false);
      expect(stored('ch_care').archivedBy).toEqual([]);
      expect(repo.outbox.map((e) => e.type)).toEqual(['channel.archived', 'channel.unarchived']);
      expect(repo.outbox[1].data).toEqual({ channelId: 'ch_care', userId: 'pat_1' });
    });

    it('rule 8: unarchiving a channel that is not archived is a no-op', async () => {
      await service.setArchived(tm1, 'ch_care', false);

      expect(repo.outbox).toEqual([]);
      expect(stored('ch_care').version).toBe(1);
    });

    it('rule 8: archiving is per user: other members are unaffected and nothing is deleted', async () => {
      await service.setArchived(tm1, 'ch_group', true);

      const c = stored('ch_group');
      expect(toView(c, 'tm_1').archived).toBe(true);
      expect(toView(c, 'tm_manager').archived).toBe(false);
      expect(toView(c, 'pat_1').archived).toBe(false);
      expect(c.memberIds).toEqual(['pat_1', 'pat_2', 'tm_1', 'tm_manager']);
    });

    it('rule 1: a non-member cannot archive (NOT_FOUND)', async () => {
      await expect(service.setArchived(tm2, 'ch_care', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(stored('ch_care').archivedBy).toEqual([]);
    });
  });

  describe('list (rule 9)', () => {
    beforeEach(async () => {
      await directory.updateProfile(pat2, { displayName: 'Bobby', avatarMediaId: 'med_bo' });
    });

    it('rule 9: a patient viewer sees other patients by display name (default first name) and avatar, never their real name', async () => {
      const members = await service.list(pat1, 'ch_group');

      expect(members.map((m) => [m.userId, m.displayName, m.avatarMediaId])).toEqual([
        ['pat_1', 'Ada', null],
        ['pat_2', 'Bobby', 'med_bo'],
        ['tm_1', 'Grace Hopper', null],
        ['tm_manager', 'Kath Johnson', null],
      ]);
      const wire = JSON.stringify(members);
      for (const secret of ['realName', 'Lovelace', 'Bellweather', '"Bo"', 'lastName', 'firstName']) expect(wire).not.toContain(secret);
    });

    it('rule 9: a team-member viewer sees the real name beside the display name', async () => {
      const members = await service.list(tm1, 'ch_group');

      expect(members.find((m) => m.userId === 'pat_2')).toEqual({
        userId: 'pat_2', kind: 'patient', displayName: 'Bobby', realName: { firstName: 'Bo', lastName: 'Bellweather' },
        title: null, avatarMediaId: 'med_bo', joinedAt: expect.any(String),
      });
      expect(members.find((m) => m.userId === 'pat_1')).toMatchObject({ displayName: 'Ada', realName: { firstName: 'Ada', lastName: 'Lovelace' } });
    });

    it('rule 9: team members show "First Last" and their title to everyone', async () => {
      for (const viewer of [pat1, tm1]) {
        const tm = (await service.list(viewer, 'ch_group')).find((m) => m.userId === 'tm_1');
        expect(tm).toMatchObject({ kind: 'team_member', displayName: 'Grace Hopper', title: 'RN' });
        expect(tm?.realName).toBeUndefined();
      }
    });

    it('rule 1: a non-member cannot list members (NOT_FOUND)', async () => {
      await expect(service.list(patientActor({ userId: 'pat_3' }), 'ch_group')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.list(teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), 'ch_group')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('needingStaff', () => {
    it('rule 5: lists flagged channels of the organisation to messaging:manage only', async () => {
      stored('ch_care').needsStaffing = true;
      stored('ch_other_org').needsStaffing = true;

      expect((await service.needingStaff(manager)).map((c) => c.id)).toEqual(['ch_care']);
      await expect(service.needingStaff(tm1)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
});
