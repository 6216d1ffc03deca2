import 'reflect-metadata';
import { Events } from '@wellifiy/contracts';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { DirectoryService } from '../directory/directory.service';
import { channelFixture, FakeChannelsRepository, FakeDirectoryRepository, T0 } from './channels.fakes';
import { ChannelsService } from './channels.service';

describe('ChannelsService', () => {
  let repo: FakeChannelsRepository;
  let directoryRepo: FakeDirectoryRepository;
  let directory: DirectoryService;
  let service: ChannelsService;

  const activator = teamMemberActor({ userId: 'tm_1' });

  beforeEach(async () => {
    repo = new FakeChannelsRepository();
    directoryRepo = new FakeDirectoryRepository();
    directory = new DirectoryService(directoryRepo);
    service = new ChannelsService(repo, directory);
    await directory.patientCreated('org_1', { patientId: 'pat_1', firstName: 'Ada', lastName: 'Lovelace', allocationClinicianId: 'tm_clin' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_1', firstName: 'Grace', lastName: 'Hopper' });
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_clin', firstName: 'Joan', lastName: 'Clarke' });
  });

  describe('activate', () => {
    it('only team members activate: a patient gets FORBIDDEN and nothing is created', async () => {
      await expect(service.activate({ actor: patientActor({ userId: 'pat_1' }), patientId: 'pat_1', type: 'care_team' }))
        .rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(repo.channels).toEqual([]);
      expect(repo.outbox).toEqual([]);
    });

    it('an unknown patient gets PATIENT_NOT_FOUND', async () => {
      await expect(service.activate({ actor: activator, patientId: 'pat_missing', type: 'care_team' }))
        .rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
      expect(repo.channels).toEqual([]);
    });

    it('rule 1: a patient of another organisation is unknown (PATIENT_NOT_FOUND)', async () => {
      await expect(service.activate({ actor: teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), patientId: 'pat_1', type: 'care_team' }))
        .rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
    });

    it('members are the patient, the activator and the allocation clinician', async () => {
      const view = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });

      expect(view).toMatchObject({
        orgId: 'org_1', type: 'care_team', patientId: 'pat_1', name: null, needsStaffing: false, archived: false,
        members: [
          { userId: 'pat_1', kind: 'patient' },
          { userId: 'tm_1', kind: 'team_member' },
          { userId: 'tm_clin', kind: 'team_member' },
        ],
      });
      expect(view.id).toMatch(/^ch_/);
      expect(repo.channels).toHaveLength(1);
      expect(repo.channels[0]).toMatchObject({ uniqueKey: 'care_team:pat_1', memberIds: ['pat_1', 'tm_1', 'tm_clin'], createdBy: 'tm_1', version: 1 });
    });

    it('an archived allocation clinician is not added', async () => {
      await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_clin' });

      const view = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });

      expect(view.members).toEqual([
        { userId: 'pat_1', kind: 'patient' },
        { userId: 'tm_1', kind: 'team_member' },
      ]);
    });

    it('an allocation clinician unknown to the directory is not added', async () => {
      await directory.patientCreated('org_1', { patientId: 'pat_2', firstName: 'Bo', lastName: 'B', allocationClinicianId: 'tm_ghost' });

      const view = await service.activate({ actor: activator, patientId: 'pat_2', type: 'care_team' });

      expect(view.members.map((m) => m.userId)).toEqual(['pat_2', 'tm_1']);
    });

    it('an allocation clinician who is the activator is not duplicated', async () => {
      const view = await service.activate({ actor: teamMemberActor({ userId: 'tm_clin' }), patientId: 'pat_1', type: 'service_team' });

      expect(view.members).toEqual([
        { userId: 'pat_1', kind: 'patient' },
        { userId: 'tm_clin', kind: 'team_member' },
      ]);
      expect(repo.channels[0].memberIds).toEqual(['pat_1', 'tm_clin']);
    });

    it('rule 3: care_team and service_team are separate channels for the same patient', async () => {
      const care = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });
      const svc = await service.activate({ actor: activator, patientId: 'pat_1', type: 'service_team' });

      expect(svc.id).not.toEqual(care.id);
      expect(repo.channels.map((c) => c.uniqueKey).sort()).toEqual(['care_team:pat_1', 'service_team:pat_1']);
    });

    it('activation is idempotent for a member: the same channel is returned and no second event is emitted', async () => {
      const first = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });
      const again = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });
      const byClinician = await service.activate({ actor: teamMemberActor({ userId: 'tm_clin' }), patientId: 'pat_1', type: 'care_team' });

      expect(again).toEqual(first);
      expect(byClinician.id).toEqual(first.id);
      expect(repo.channels).toHaveLength(1);
      expect(repo.outbox).toHaveLength(1);
    });

    it('activation of an already active channel by a non-member gets CHANNEL_ALREADY_ACTIVE', async () => {
      await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });

      await expect(service.activate({ actor: teamMemberActor({ userId: 'tm_other' }), patientId: 'pat_1', type: 'care_team' }))
        .rejects.toMatchObject({ code: 'CHANNEL_ALREADY_ACTIVE' });
      expect(repo.channels).toHaveLength(1);
    });

    it('a lost insert race returns the winning channel to a member of it', async () => {
      const winner = channelFixture({ id: 'ch_winner', type: 'care_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] });
      repo.beforeInsert = () => {
        repo.beforeInsert = undefined;
        repo.channels.push(winner);
      };

      const view = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' });

      expect(view).toMatchObject({ id: 'ch_winner', type: 'care_team', patientId: 'pat_1' });
      expect(repo.channels).toHaveLength(1);
      expect(repo.outbox).toEqual([]);
    });

    it('a lost insert race tells a non-member of the winner CHANNEL_ALREADY_ACTIVE', async () => {
      repo.beforeInsert = () => {
        repo.beforeInsert = undefined;
        repo.channels.push(channelFixture({ id: 'ch_winner', type: 'care_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_other', 'team_member']] }));
      };

      await expect(service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team' }))
        .rejects.toMatchObject({ code: 'CHANNEL_ALREADY_ACTIVE' });
    });

    it('emits channel.created with the snapshot: version 1, ids and kinds only, no names', async () => {
      const view = await service.activate({ actor: activator, patientId: 'pat_1', type: 'care_team', correlationId: 'corr-1' });

      expect(repo.outbox).toHaveLength(1);
      const [event] = repo.outbox;
      expect(event).toMatchObject({ type: Events.ChannelCreated, orgId: 'org_1', correlationId: 'corr-1' });
      expect(event.type).toBe('channel.created');
      expect(event.id).toMatch(/^evt_/);
      expect(event.data).toEqual({
        actorId: 'tm_1',
        channel: {
          id: view.id,
          type: 'care_team',
          patientId: 'pat_1',
          needsStaffing: false,
          version: 1,
          members: [
            { userId: 'pat_1', kind: 'patient' },
            { userId: 'tm_1', kind: 'team_member' },
            { userId: 'tm_clin', kind: 'team_member' },
          ],
        },
      });
      const wire = JSON.stringify(event);
      for (const name of ['Ada', 'Lovelace', 'Grace', 'Hopper', 'Joan', 'Clarke']) expect(wire).not.toContain(name);
    });
  });

  describe('list, get and membershipIds', () => {
    const patient = patientActor({ userId: 'pat_1' });

    beforeEach(() => {
      repo.channels.push(
        channelFixture({ id: 'ch_care', type: 'care_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
        channelFixture({ id: 'ch_staff', type: 'staff', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
        channelFixture({ id: 'ch_dm', type: 'dm', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
        channelFixture({ id: 'ch_group', type: 'group', members: [['pat_1', 'patient'], ['tm_1', 'team_member']], archivedBy: ['pat_1'] }),
        channelFixture({ id: 'ch_service', type: 'service_team', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_2', 'team_member']], archivedBy: ['tm_1'] }),
        channelFixture({ id: 'ch_other_org', type: 'care_team', orgId: 'org_2', patientId: 'pat_1', members: [['pat_1', 'patient'], ['tm_1', 'team_member']] }),
      );
    });

    it('rule 1: a team member lists only channels of their organisation they are a member of', async () => {
      const ids = (await service.list(activator, {})).map((c) => c.id);

      expect(ids.sort()).toEqual(['ch_care', 'ch_dm', 'ch_group', 'ch_staff']);
    });

    it('rule 2: a patient never sees staff or dm channels in a list, even when listed as a member', async () => {
      const ids = (await service.list(patient, {})).map((c) => c.id);

      expect(ids.sort()).toEqual(['ch_care', 'ch_group', 'ch_service']);
    });

    it('rule 2: a patient filtering by type staff gets an empty list', async () => {
      expect(await service.list(patient, { type: 'staff' })).toEqual([]);
      expect(await service.list(patient, { type: 'dm' })).toEqual([]);
    });

    it('the type filter returns only that type', async () => {
      expect((await service.list(activator, { type: 'staff' })).map((c) => c.id)).toEqual(['ch_staff']);
    });

    it('rule 8: archived=true lists only the channels the viewer archived; archived=false the others', async () => {
      expect((await service.list(patient, { archived: true })).map((c) => c.id)).toEqual(['ch_group']);
      expect((await service.list(patient, { archived: false })).map((c) => c.id).sort()).toEqual(['ch_care', 'ch_service']);
    });

    it('rule 8: archiving is per user: another member sees the channel as not archived', async () => {
      const group = (await service.list(activator, { archived: false })).find((c) => c.id === 'ch_group');

      expect(group).toMatchObject({ id: 'ch_group', archived: false });
    });

    it('get returns the channel view to a member', async () => {
      expect(await service.get(activator, 'ch_care')).toEqual({
        id: 'ch_care', orgId: 'org_1', type: 'care_team', patientId: 'pat_1', name: null, needsStaffing: false,
        members: [{ userId: 'pat_1', kind: 'patient' }, { userId: 'tm_1', kind: 'team_member' }],
        archived: false, createdAt: T0.toISOString(), updatedAt: T0.toISOString(),
      });
    });

    it('rule 1: a non-member gets NOT_FOUND, not FORBIDDEN', async () => {
      await expect(service.get(activator, 'ch_service')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('rule 1: an unknown channel id gets the same NOT_FOUND', async () => {
      await expect(service.get(activator, 'ch_nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('rule 1: a member id from another organisation gets NOT_FOUND', async () => {
      await expect(service.get(activator, 'ch_other_org')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.get(teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), 'ch_care')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('rule 2: a patient listed as a member of a staff or dm channel gets NOT_FOUND on get', async () => {
      await expect(service.get(patient, 'ch_staff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.get(patient, 'ch_dm')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('rule 2: membershipIds of a patient leave out staff and dm channels', async () => {
      expect((await service.membershipIds(patient)).sort()).toEqual(['ch_care', 'ch_group', 'ch_service']);
    });

    it('rule 1: membershipIds of a team member are their channels in their organisation', async () => {
      expect((await service.membershipIds(activator)).sort()).toEqual(['ch_care', 'ch_dm', 'ch_group', 'ch_staff']);
    });

    it('membershipCheck returns the snapshot within the organisation and null outside it', async () => {
      expect(await service.membershipCheck('org_1', 'ch_care')).toEqual({
        channel: {
          id: 'ch_care', type: 'care_team', patientId: 'pat_1', needsStaffing: false, version: 1,
          members: [{ userId: 'pat_1', kind: 'patient' }, { userId: 'tm_1', kind: 'team_member' }],
        },
      });
      expect(await service.membershipCheck('org_2', 'ch_care')).toEqual({ channel: null });
    });
  });
});
