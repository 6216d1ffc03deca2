import { Channel } from '../channels/channel.mapper';
import { FakeChannelsRepository } from '../channels/channels.fakes';
import { CachedChannelPatientLookup } from './channel-patient.lookup';

/** Counts the reads the lookup makes of the channels store. */
class CountingChannels extends FakeChannelsRepository {
  reads = 0;
  override async findById(orgId: string, channelId: string): Promise<Channel | null> {
    this.reads++;
    return super.findById(orgId, channelId);
  }
}

const channel = (id: string, patientId: string | null): Channel =>
  ({ _id: id, orgId: 'org_1', type: patientId ? 'care_team' : 'group', patientId, memberIds: [], members: [] }) as unknown as Channel;

describe('CachedChannelPatientLookup', () => {
  it('reads a channel once, then answers from memory (also "no patient")', async () => {
    const channels = new CountingChannels();
    channels.channels.push(channel('ch_1', 'pt_1'), channel('ch_2', null));
    const lookup = new CachedChannelPatientLookup(channels);
    for (let i = 0; i < 3; i++) {
      expect(await lookup.patientOf('org_1', 'ch_1')).toBe('pt_1');
      expect(await lookup.patientOf('org_1', 'ch_2')).toBeNull();
    }
    expect(channels.reads).toBe(2);
  });

  it('a channel remembered from its event costs no read at all', async () => {
    const channels = new CountingChannels();
    channels.channels.push(channel('ch_1', 'pt_1'));
    const lookup = new CachedChannelPatientLookup(channels);
    lookup.remember('org_1', 'ch_1', 'pt_1');
    expect(await lookup.patientOf('org_1', 'ch_1')).toBe('pt_1');
    expect(channels.reads).toBe(0);
  });

  it('keeps organisations apart, and does not remember a channel it could not find', async () => {
    const channels = new CountingChannels();
    const lookup = new CachedChannelPatientLookup(channels);
    lookup.remember('org_2', 'ch_1', 'pt_9');
    expect(await lookup.patientOf('org_1', 'ch_1')).toBeNull();
    channels.channels.push(channel('ch_1', 'pt_1'));
    expect(await lookup.patientOf('org_1', 'ch_1')).toBe('pt_1');
    expect(channels.reads).toBe(2);
  });
});
