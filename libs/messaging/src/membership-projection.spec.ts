import { Actor, ChannelSnapshot, Rpc } from '@wellifiy/contracts';
import { requireChannelMember } from './membership-projection';
import { RpcClient } from './rpc-client';

const snapshot: ChannelSnapshot = { id: 'ch_1', type: 'care_team', patientId: 'pat_1', members: [{ userId: 'pat_1', kind: 'patient' }], needsStaffing: false, version: 2 };

/** Answers channels.membership-check with `answer`, counting the calls. */
function rpcAnswering(answer: ChannelSnapshot | null): { rpc: RpcClient; calls: unknown[] } {
  const calls: unknown[] = [];
  const rpc = {
    send: async (pattern: string, data: unknown) => {
      calls.push([pattern, data]);
      return { channel: answer };
    },
  };
  return { rpc: rpc as unknown as RpcClient, calls };
}

describe('requireChannelMember', () => {
  const actor: Actor = { userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [] };

  it('answers from the projection without asking the channels service when the projection says yes', async () => {
    const { rpc, calls } = rpcAnswering(null);
    const refreshed: ChannelSnapshot[] = [];
    const seen = await requireChannelMember(rpc, actor, 'ch_1', { local: async () => 'local', refresh: async (s) => (refreshed.push(s), 'refreshed') });
    expect(seen).toBe('local');
    expect(calls).toEqual([]);
    expect(refreshed).toEqual([]);
  });

  it('on a projection miss asks the channels service once, refreshes the projection with its snapshot and returns the refreshed view', async () => {
    const { rpc, calls } = rpcAnswering(snapshot);
    const refreshed: ChannelSnapshot[] = [];
    const seen = await requireChannelMember(rpc, actor, 'ch_1', { local: async () => null, refresh: async (s) => (refreshed.push(s), `fresh v${s.version}`) });
    expect(seen).toBe('fresh v2');
    expect(calls).toEqual([[Rpc.ChannelsMembershipCheck, { orgId: 'org_1', channelId: 'ch_1' }]]);
    expect(refreshed).toEqual([snapshot]);
  });

  it('NOT_FOUND when the channels service knows no such channel, or the refreshed projection still says no', async () => {
    await expect(requireChannelMember(rpcAnswering(null).rpc, actor, 'ch_1', { local: async () => null, refresh: async () => 'never' }))
      .rejects.toMatchObject({ code: 'NOT_FOUND', message: 'channel ch_1 not found' });
    await expect(requireChannelMember(rpcAnswering(snapshot).rpc, actor, 'ch_1', { local: async () => null, refresh: async () => null }))
      .rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
