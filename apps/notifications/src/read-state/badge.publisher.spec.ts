import 'reflect-metadata';
import { EventPublisher } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { DEFAULTS, FakePublisher, FakeReadStateRepository, FakeSettingsRepository, message, snapshot } from '../testing/fakes';
import { BadgePublisher } from './badge.publisher';
import { ChannelState } from './read-state.repository';
import { ReadStateService } from './read-state.service';

/** Records which channels a flush reads back from the store. */
class CountingReadStateRepository extends FakeReadStateRepository {
  readonly channelReads: string[] = [];

  override async channels(orgId: string, ids: string[]): Promise<Map<string, ChannelState>> {
    this.channelReads.push(...ids);
    return super.channels(orgId, ids);
  }
}

describe('BadgePublisher', () => {
  let repo: CountingReadStateRepository;
  let publisher: FakePublisher;
  let badges: BadgePublisher;
  let readState: ReadStateService;

  beforeEach(async () => {
    repo = new CountingReadStateRepository();
    const settings = new FakeSettingsRepository();
    const config = DEFAULTS as unknown as NotificationsConfig;
    publisher = new FakePublisher();
    badges = new BadgePublisher(repo, settings, publisher as unknown as EventPublisher, config);
    readState = new ReadStateService(repo, settings, {} as never, publisher as unknown as EventPublisher, config, badges);
    // tm_1 is in both channels; the flush needs `other` for tm_1's total, not `grp`, whose write it holds.
    await repo.applySnapshot('org_1', snapshot('grp', 'group', [['tm_1', 'team_member'], ['pat_a', 'patient']]), 'zero');
    await repo.applySnapshot('org_1', snapshot('other', 'staff', [['tm_1', 'team_member']]), 'zero');
    await repo.recordMessage('org_1', { channelId: 'other', seq: 4, senderId: 'tm_9', at: new Date() });
  });

  afterEach(() => badges.flush());

  const recordAndQueue = async (seq: number, senderId: string): Promise<void> => {
    const channel = await readState.recordMessage('org_1', message('grp', seq, senderId));
    if (channel) badges.queue('org_1', channel);
  };

  it("a flush computes from the channel states its messages' writes returned, reading only the members' other channels", async () => {
    await recordAndQueue(1, 'pat_a');
    await recordAndQueue(2, 'pat_a');
    await badges.flush();
    expect([...new Set(repo.channelReads)]).toEqual(['other']);
    expect(publisher.of('badge.updated')).toEqual([
      { badges: [{ userId: 'tm_1', total: 6, channelId: 'grp', unread: 2 }, { userId: 'pat_a', total: 0, channelId: 'grp', unread: 0 }] },
    ]);
  });

  it('writes that returned in either order: the flush counts from the latest of each counter', async () => {
    const newer = await readState.recordMessage('org_1', message('grp', 2, 'tm_1'));
    const older = { ...(newer as ChannelState), lastSeq: 1, sent: new Map([['pat_a', { seq: 1, at: new Date() }]]) };
    await readState.recordMessage('org_1', message('grp', 1, 'pat_a'));
    badges.queue('org_1', newer as ChannelState);
    badges.queue('org_1', older);
    await badges.flush();
    expect(publisher.of('badge.updated')).toEqual([
      { badges: [{ userId: 'tm_1', total: 4, channelId: 'grp', unread: 0 }, { userId: 'pat_a', total: 1, channelId: 'grp', unread: 1 }] },
    ]);
  });

  it('a deletion while the badges wait makes the flush read the channel again, so it counts the deletion', async () => {
    await recordAndQueue(1, 'tm_1');
    await recordAndQueue(2, 'tm_1');
    await readState.messageDeleted('org_1', { channelId: 'grp', messageId: 'msg_2', seq: 2, senderId: 'tm_1', actorId: 'tm_1' });
    publisher.events.length = 0;
    repo.channelReads.length = 0;
    await badges.flush();
    expect([...new Set(repo.channelReads)].sort()).toEqual(['grp', 'other']);
    expect(publisher.of('badge.updated')).toEqual([
      { badges: [{ userId: 'tm_1', total: 4, channelId: 'grp', unread: 0 }, { userId: 'pat_a', total: 1, channelId: 'grp', unread: 1 }] },
    ]);
  });
});
