import 'reflect-metadata';
import { ChannelSnapshot, MembershipCheckResult, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { MembershipCache } from './membership.cache';
import { ChannelMembership, MembershipRepository } from './membership.repository';
import { MembershipService } from './membership.service';

/** In-memory projection with the real repository's "newer version wins" rule. */
class FakeMembershipRepository extends MembershipRepository {
  readonly rows = new Map<string, ChannelMembership>();
  finds = 0;

  async find(orgId: string, channelId: string): Promise<ChannelMembership | null> {
    this.finds++;
    const row = this.rows.get(channelId);
    return row && row.orgId === orgId ? structuredClone(row) : null;
  }

  async apply(orgId: string, s: ChannelSnapshot): Promise<void> {
    const current = this.rows.get(s.id);
    if (current && current.version >= s.version) return;
    this.rows.set(s.id, { id: s.id, orgId, type: s.type, patientId: s.patientId ?? null, members: s.members.map((m) => ({ userId: m.userId, kind: m.kind })), version: s.version });
  }

  async channelsOfPatient(orgId: string, patientId: string): Promise<string[]> {
    return [...this.rows.values()].filter((r) => r.orgId === orgId && (r.patientId === patientId || r.members.some((m) => m.userId === patientId))).map((r) => r.id);
  }

  async shareAChannel(orgId: string, [a, b]: [string, string], excludedTypes: readonly ChannelSnapshot['type'][]): Promise<boolean> {
    return [...this.rows.values()].some(
      (r) => r.orgId === orgId && !excludedTypes.includes(r.type) && r.members.some((m) => m.userId === a) && r.members.some((m) => m.userId === b),
    );
  }
}

/** Stands in for the channels service: answers channels.membership-check from a table, and records calls. */
class FakeRpc {
  readonly calls: { pattern: string; data: unknown }[] = [];
  readonly channels = new Map<string, { orgId: string; snapshot: ChannelSnapshot }>();

  async send(pattern: string, data: { orgId: string; channelId: string }): Promise<MembershipCheckResult> {
    this.calls.push({ pattern, data });
    if (pattern !== Rpc.ChannelsMembershipCheck) throw new Error(`unexpected rpc ${pattern}`);
    const c = this.channels.get(data.channelId);
    return { channel: c && c.orgId === data.orgId ? c.snapshot : null };
  }
}

function snapshot(id: string, type: ChannelSnapshot['type'], members: [string, 'patient' | 'team_member'][], version = 1): ChannelSnapshot {
  return { id, type, patientId: null, needsStaffing: false, version, members: members.map(([userId, kind]) => ({ userId, kind })) };
}

describe('MembershipService.requireMember', () => {
  let repo: FakeMembershipRepository;
  let rpc: FakeRpc;
  let service: MembershipService;
  let cache: MembershipCache;
  const tm = teamMemberActor({ userId: 'tm_1' });
  const patient = patientActor({ userId: 'pat_1' });

  beforeEach(() => {
    repo = new FakeMembershipRepository();
    rpc = new FakeRpc();
    cache = new MembershipCache({ ttlMs: 10_000, maxEntries: 100 });
    cache.connected();
    service = new MembershipService(repo, rpc as unknown as RpcClient, cache);
  });

  it('a projection hit answers without asking the channels service', async () => {
    await repo.apply('org_1', snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_1', 'team_member']], 3));

    await expect(service.requireMember(tm, 'ch_1')).resolves.toEqual({
      id: 'ch_1', orgId: 'org_1', type: 'care_team', patientId: null, version: 3,
      members: [{ userId: 'pat_1', kind: 'patient' }, { userId: 'tm_1', kind: 'team_member' }],
    });
    expect(rpc.calls).toEqual([]);
  });

  it('a projection miss falls back to channels.membership-check and stores the snapshot', async () => {
    rpc.channels.set('ch_1', { orgId: 'org_1', snapshot: snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_1', 'team_member']], 2) });

    await expect(service.requireMember(tm, 'ch_1')).resolves.toMatchObject({ id: 'ch_1', orgId: 'org_1', type: 'care_team', version: 2 });

    expect(rpc.calls).toEqual([{ pattern: 'channels.membership-check', data: { orgId: 'org_1', channelId: 'ch_1' } }]);
    expect(await repo.find('org_1', 'ch_1')).toMatchObject({ version: 2, members: [{ userId: 'pat_1' }, { userId: 'tm_1' }] });
    // the refreshed projection answers the next call locally
    await service.requireMember(tm, 'ch_1');
    expect(rpc.calls).toHaveLength(1);
  });

  it('a lagging projection that does not list the member yet is refreshed from the channels service', async () => {
    await repo.apply('org_1', snapshot('ch_1', 'group', [['tm_2', 'team_member']], 1));
    rpc.channels.set('ch_1', { orgId: 'org_1', snapshot: snapshot('ch_1', 'group', [['tm_2', 'team_member'], ['tm_1', 'team_member']], 2) });

    await expect(service.requireMember(tm, 'ch_1')).resolves.toMatchObject({ id: 'ch_1', version: 2 });
    expect(await repo.find('org_1', 'ch_1')).toMatchObject({ version: 2 });
  });

  it('rule 1: a non-member gets NOT_FOUND, not FORBIDDEN', async () => {
    await repo.apply('org_1', snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_2', 'team_member']]));
    rpc.channels.set('ch_1', { orgId: 'org_1', snapshot: snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_2', 'team_member']]) });

    await expect(service.requireMember(tm, 'ch_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rule 1: a channel unknown to the channels service too gets NOT_FOUND', async () => {
    await expect(service.requireMember(tm, 'ch_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(rpc.calls).toHaveLength(1);
  });

  it('rule 1: a channel of another organisation gets NOT_FOUND', async () => {
    await repo.apply('org_2', snapshot('ch_1', 'care_team', [['tm_1', 'team_member']]));
    rpc.channels.set('ch_1', { orgId: 'org_2', snapshot: snapshot('ch_1', 'care_team', [['tm_1', 'team_member']]) });

    await expect(service.requireMember(tm, 'ch_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each(['staff', 'dm'] as const)('rule 2: a patient listed as a member of a %s channel still gets NOT_FOUND', async (type) => {
    await repo.apply('org_1', snapshot('ch_1', type, [['pat_1', 'patient'], ['tm_1', 'team_member']]));
    rpc.channels.set('ch_1', { orgId: 'org_1', snapshot: snapshot('ch_1', type, [['pat_1', 'patient'], ['tm_1', 'team_member']]) });

    await expect(service.requireMember(patient, 'ch_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // the team member in the same channel is allowed
    await expect(service.requireMember(tm, 'ch_1')).resolves.toMatchObject({ id: 'ch_1', type });
  });

  it('a patient member of a care_team channel is allowed', async () => {
    await repo.apply('org_1', snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_1', 'team_member']]));

    await expect(service.requireMember(patient, 'ch_1')).resolves.toMatchObject({ id: 'ch_1', type: 'care_team' });
  });

  it('an RPC failure propagates instead of being taken for "not a member"', async () => {
    const failing = { send: async () => { throw Object.assign(new Error('timeout'), { code: 'RPC_TIMEOUT' }); } };
    service = new MembershipService(repo, failing as unknown as RpcClient, cache);

    await expect(service.requireMember(tm, 'ch_1')).rejects.toMatchObject({ code: 'RPC_TIMEOUT' });
  });

  describe('with the process cache', () => {
    it('reads the projection once per channel while the cache holds it', async () => {
      await repo.apply('org_1', snapshot('ch_1', 'care_team', [['pat_1', 'patient'], ['tm_1', 'team_member']], 3));

      for (let i = 0; i < 5; i++) await service.requireMember(i % 2 ? tm : patient, 'ch_1');
      expect(repo.finds).toBe(1);
      expect(rpc.calls).toEqual([]);
    });

    it('a removal event stops the cached membership at once, while the projection still lists the member', async () => {
      await repo.apply('org_1', snapshot('ch_1', 'group', [['tm_1', 'team_member'], ['tm_2', 'team_member']], 1));
      await service.requireMember(tm, 'ch_1');
      const removed = snapshot('ch_1', 'group', [['tm_2', 'team_member']], 2);
      rpc.channels.set('ch_1', { orgId: 'org_1', snapshot: removed });

      cache.observe('org_1', removed); // the feed; the projection write of another replica is still on its way
      await expect(service.requireMember(tm, 'ch_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('while the feed is disconnected every check reads the projection', async () => {
      await repo.apply('org_1', snapshot('ch_1', 'care_team', [['tm_1', 'team_member']], 1));
      cache.disconnected();

      await service.requireMember(tm, 'ch_1');
      await service.requireMember(tm, 'ch_1');
      expect(repo.finds).toBe(2);
    });

    it('an organisation never reads another organisation\'s cached channel', async () => {
      await repo.apply('org_2', snapshot('ch_1', 'care_team', [['tm_1', 'team_member']]));
      await service.requireMember(teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), 'ch_1');

      await expect(service.requireMember(tm, 'ch_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
