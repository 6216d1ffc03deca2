import 'reflect-metadata';
import { ChannelType, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { Channel } from '../channels/channel.mapper';
import { channelFixture, FakeChannelsRepository, FakeDirectoryRepository } from '../channels/channels.fakes';
import { DirectoryService } from '../directory/directory.service';
import { FALLBACK_ACTOR, FallbackService } from './fallback.service';

/** The activation-rules service as the fallback sees it: assigned team members per channel type. */
class FakeRpc {
  readonly calls: { name: string; payload: unknown }[] = [];
  assigned: Record<string, string[]> = { care_team: [], service_team: [] };

  async send(name: string, payload: { orgId: string; type: string }): Promise<{ teamMemberIds: string[] }> {
    this.calls.push({ name, payload });
    if (name !== Rpc.ActivationRulesAssigned) throw new Error(`unexpected rpc ${name}`);
    return { teamMemberIds: [...(this.assigned[payload.type] ?? [])] };
  }
}

describe('FallbackService (rule 5)', () => {
  let repo: FakeChannelsRepository;
  let directory: DirectoryService;
  let rpc: FakeRpc;
  let service: FallbackService;

  const stored = (id: string): Channel => {
    const c = repo.channels.find((x) => x._id === id);
    if (!c) throw new Error(`fixture ${id} missing`);
    return c;
  };

  const patientChannel = (id: string, type: ChannelType, patientId: string, team: string[]): Channel =>
    channelFixture({
      id, type, patientId,
      members: [...(type === 'staff' ? [] : [[patientId, 'patient'] as [string, 'patient']]), ...team.map((t) => [t, 'team_member'] as [string, 'team_member'])],
    });

  beforeEach(async () => {
    repo = new FakeChannelsRepository();
    directory = new DirectoryService(new FakeDirectoryRepository());
    rpc = new FakeRpc();
    service = new FallbackService(repo, directory, rpc as unknown as RpcClient);
    for (const id of ['tm_gone', 'tm_clin', 'tm_2', 'tm_rule_a', 'tm_rule_b', 'tm_rule_archived']) {
      await directory.teamMemberCreated('org_1', { teamMemberId: id, firstName: 'F', lastName: id });
    }
    await directory.teamMemberCreated('org_1', { teamMemberId: 'tm_clin_archived', firstName: 'F', lastName: 'x' });
    await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_clin_archived' });
    await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_rule_archived' });
    await directory.patientCreated('org_1', { patientId: 'pat_clin', firstName: 'A', lastName: 'A', allocationClinicianId: 'tm_clin' });
    await directory.patientCreated('org_1', { patientId: 'pat_none', firstName: 'B', lastName: 'B' });
    await directory.patientCreated('org_1', { patientId: 'pat_self', firstName: 'C', lastName: 'C', allocationClinicianId: 'tm_gone' });
    await directory.patientCreated('org_1', { patientId: 'pat_arch', firstName: 'D', lastName: 'D', allocationClinicianId: 'tm_clin_archived' });
    await directory.patientCreated('org_1', { patientId: 'pat_ghost', firstName: 'E', lastName: 'E', allocationClinicianId: 'tm_never_heard_of' });
    // the staff directory has archived the team member before the job runs
    await directory.teamMemberArchived('org_1', { teamMemberId: 'tm_gone' });
  });

  it('rule 5: an archived team member is removed from every channel holding them, across batches of 200', async () => {
    for (let i = 0; i < 260; i++) {
      repo.channels.push(channelFixture({ id: `ch_${String(i).padStart(3, '0')}`, type: 'dm', members: [['tm_gone', 'team_member'], ['tm_2', 'team_member']] }));
    }
    repo.channels.push(channelFixture({ id: 'ch_without', type: 'dm', members: [['tm_2', 'team_member']] }));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 260, staffedByClinician: 0, staffedByRule: 0, flagged: 0 });
    expect(repo.channels.filter((c) => c.memberIds.includes('tm_gone'))).toEqual([]);
    expect(repo.channels.filter((c) => c.memberIds.length === 1 && c.memberIds[0] === 'tm_2')).toHaveLength(261);
    expect(stored('ch_without').version).toBe(1);
    expect(repo.outbox).toHaveLength(260);
    expect(new Set(repo.outbox.map((e) => e.type))).toEqual(new Set(['channel.member.removed']));
  });

  it('rule 5: only channels of the given organisation are touched', async () => {
    repo.channels.push(channelFixture({ id: 'ch_elsewhere', orgId: 'org_2', type: 'dm', members: [['tm_gone', 'team_member'], ['tm_2', 'team_member']] }));

    expect(await service.run('org_1', 'tm_gone')).toEqual({ channels: 0, staffedByClinician: 0, staffedByRule: 0, flagged: 0 });
    expect(stored('ch_elsewhere').memberIds).toEqual(['tm_gone', 'tm_2']);
  });

  it('rule 5: a channel that still has another team member only loses the archived one', async () => {
    repo.channels.push(patientChannel('ch_care', 'care_team', 'pat_clin', ['tm_gone', 'tm_2']));

    const report = await service.run('org_1', 'tm_gone', 'corr-5');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 0, flagged: 0 });
    expect(stored('ch_care').memberIds).toEqual(['pat_clin', 'tm_2']);
    expect(stored('ch_care').needsStaffing).toBe(false);
    expect(repo.outbox).toHaveLength(1);
    expect(repo.outbox[0]).toMatchObject({
      type: 'channel.member.removed', orgId: 'org_1', correlationId: 'corr-5',
      data: { userId: 'tm_gone', actorId: FALLBACK_ACTOR, reason: 'team_member_archived', channel: { id: 'ch_care', version: 2 } },
    });
    expect(rpc.calls).toEqual([]);
  });

  it('rule 5: a DM simply loses the archived member, even when nobody is left', async () => {
    repo.channels.push(channelFixture({ id: 'ch_dm', type: 'dm', members: [['tm_gone', 'team_member']] }));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 0, flagged: 0 });
    expect(stored('ch_dm')).toMatchObject({ memberIds: [], needsStaffing: false });
    expect(repo.outbox.map((e) => e.type)).toEqual(['channel.member.removed']);
  });

  it.each(['care_team', 'service_team', 'staff'] as const)('rule 5: a %s channel left without a team member gets the allocation clinician', async (type) => {
    repo.channels.push(patientChannel('ch_1', type, 'pat_clin', ['tm_gone']));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 1, staffedByClinician: 1, staffedByRule: 0, flagged: 0 });
    expect(stored('ch_1').members.filter((m) => m.kind === 'team_member').map(({ userId, kind, addedBy }) => ({ userId, kind, addedBy }))).toEqual([
      { userId: 'tm_clin', kind: 'team_member', addedBy: FALLBACK_ACTOR },
    ]);
    expect(stored('ch_1').needsStaffing).toBe(false);
    expect(repo.outbox.map((e) => e.type)).toEqual(['channel.member.removed', 'channel.member.added']);
    expect(repo.outbox[1].data).toMatchObject({ userId: 'tm_clin', userKind: 'team_member', actorId: FALLBACK_ACTOR, reason: 'fallback_allocation_clinician' });
    expect(rpc.calls).toEqual([]);
  });

  it.each([
    ['absent', 'pat_none'],
    ['archived', 'pat_arch'],
    ['the archived person', 'pat_self'],
    ['unknown to the directory', 'pat_ghost'],
  ])('rule 5: when the allocation clinician is %s, a care_team gets the activation rule\'s active assigned team members', async (_label, patientId) => {
    rpc.assigned.care_team = ['tm_rule_a', 'tm_rule_archived', 'tm_gone', 'tm_rule_b'];
    repo.channels.push(patientChannel('ch_1', 'care_team', patientId, ['tm_gone']));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 1, flagged: 0 });
    expect(stored('ch_1').memberIds).toEqual([patientId, 'tm_rule_a', 'tm_rule_b']);
    expect(rpc.calls).toEqual([{ name: 'activation-rules.assigned-team-members', payload: { orgId: 'org_1', type: 'care_team' } }]);
    expect(repo.outbox.filter((e) => e.type === 'channel.member.added').map((e) => e.data)).toEqual([
      expect.objectContaining({ userId: 'tm_rule_a', reason: 'fallback_activation_rule' }),
      expect.objectContaining({ userId: 'tm_rule_b', reason: 'fallback_activation_rule' }),
    ]);
  });

  it('rule 5: a service_team uses the service_team rule, not the care_team one', async () => {
    rpc.assigned = { care_team: ['tm_rule_a'], service_team: ['tm_rule_b'] };
    repo.channels.push(patientChannel('ch_svc', 'service_team', 'pat_none', ['tm_gone']));

    await service.run('org_1', 'tm_gone');

    expect(stored('ch_svc').memberIds).toEqual(['pat_none', 'tm_rule_b']);
    expect(rpc.calls).toEqual([{ name: Rpc.ActivationRulesAssigned, payload: { orgId: 'org_1', type: 'service_team' } }]);
  });

  it('rule 5: a staff channel without a clinician does not use activation rules: it is flagged', async () => {
    rpc.assigned = { care_team: ['tm_rule_a'], service_team: ['tm_rule_b'] };
    repo.channels.push(patientChannel('ch_staff', 'staff', 'pat_none', ['tm_gone']));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 0, flagged: 1 });
    expect(stored('ch_staff')).toMatchObject({ memberIds: [], needsStaffing: true });
    expect(rpc.calls).toEqual([]);
  });

  it('rule 5: with no clinician and no active assigned team member, the channel is flagged needsStaffing and channel.updated is emitted', async () => {
    rpc.assigned.care_team = ['tm_rule_archived', 'tm_gone'];
    repo.channels.push(patientChannel('ch_1', 'care_team', 'pat_arch', ['tm_gone']));

    const report = await service.run('org_1', 'tm_gone', 'corr-6');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 0, flagged: 1 });
    expect(stored('ch_1')).toMatchObject({ memberIds: ['pat_arch'], needsStaffing: true, version: 2 });
    expect(repo.outbox.map((e) => e.type)).toEqual(['channel.member.removed', 'channel.updated']);
    expect(repo.outbox[1]).toMatchObject({ orgId: 'org_1', correlationId: 'corr-6' });
    expect(repo.outbox[1].data).toEqual({
      channel: { id: 'ch_1', type: 'care_team', patientId: 'pat_arch', needsStaffing: true, version: 2, members: [{ userId: 'pat_arch', kind: 'patient' }] },
      actorId: FALLBACK_ACTOR, reason: 'needs_staffing',
    });
  });

  it('rule 5: a group left without a team member is flagged (it has no allocation clinician or rule)', async () => {
    repo.channels.push(channelFixture({ id: 'ch_group', type: 'group', members: [['pat_clin', 'patient'], ['tm_gone', 'team_member']] }));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 1, staffedByClinician: 0, staffedByRule: 0, flagged: 1 });
    expect(stored('ch_group')).toMatchObject({ memberIds: ['pat_clin'], needsStaffing: true });
  });

  it('rule 5: running twice changes nothing the second time (no new outbox events) and reports zero', async () => {
    rpc.assigned.care_team = ['tm_rule_a'];
    repo.channels.push(
      patientChannel('ch_clin', 'care_team', 'pat_clin', ['tm_gone']),
      patientChannel('ch_rule', 'care_team', 'pat_none', ['tm_gone']),
      patientChannel('ch_flag', 'service_team', 'pat_none', ['tm_gone']),
      patientChannel('ch_keep', 'service_team', 'pat_clin', ['tm_gone', 'tm_2']),
      channelFixture({ id: 'ch_dm', type: 'dm', members: [['tm_gone', 'team_member'], ['tm_2', 'team_member']] }),
    );

    const first = await service.run('org_1', 'tm_gone');
    const after = structuredClone(repo.channels);
    const events = repo.outbox.length;
    const second = await service.run('org_1', 'tm_gone');

    expect(first).toEqual({ channels: 5, staffedByClinician: 1, staffedByRule: 1, flagged: 1 });
    expect(second).toEqual({ channels: 0, staffedByClinician: 0, staffedByRule: 0, flagged: 0 });
    expect(repo.channels).toEqual(after);
    expect(repo.outbox).toHaveLength(events);
    expect(events).toBe(5 + 1 + 1 + 1);
  });

  it('rule 5: report counts over a mixed run of more than one batch are right', async () => {
    rpc.assigned.care_team = ['tm_rule_a'];
    for (let i = 0; i < 120; i++) repo.channels.push(patientChannel(`ch_a${String(i).padStart(3, '0')}`, 'care_team', 'pat_clin', ['tm_gone']));
    for (let i = 0; i < 70; i++) repo.channels.push(patientChannel(`ch_b${String(i).padStart(3, '0')}`, 'care_team', 'pat_none', ['tm_gone']));
    for (let i = 0; i < 40; i++) repo.channels.push(patientChannel(`ch_c${String(i).padStart(3, '0')}`, 'service_team', 'pat_none', ['tm_gone']));
    for (let i = 0; i < 30; i++) repo.channels.push(patientChannel(`ch_d${String(i).padStart(3, '0')}`, 'staff', 'pat_none', ['tm_gone', 'tm_2']));

    const report = await service.run('org_1', 'tm_gone');

    expect(report).toEqual({ channels: 260, staffedByClinician: 120, staffedByRule: 70, flagged: 40 });
    expect(repo.channels.filter((c) => c.memberIds.includes('tm_gone'))).toEqual([]);
    expect(repo.channels.filter((c) => c.needsStaffing).map((c) => c.type)).toEqual(Array(40).fill('service_team'));
    // the rule is asked once per type within one run
    expect(rpc.calls.map((c) => (c.payload as { type: string }).type).sort()).toEqual(['care_team', 'service_team']);
  });
});
