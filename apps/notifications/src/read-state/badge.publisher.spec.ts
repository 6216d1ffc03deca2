import 'reflect-metadata';
import { EventPublisher } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { DEFAULTS, FakePublisher, FakeReadStateRepository, FakeSettingsRepository, message, snapshot } from '../testing/fakes';
import { BADGE_COALESCE_MS, BadgePublisher } from './badge.publisher';
import { ChannelState } from './read-state.repository';
import { ReadStateService } from './read-state.service';

/** Records which channels a flush reads back from the store. */
class CountingReadStateRepository extends FakeReadStateRepository {
  readonly channelReads: string[] = [];
  /** Flushes that have read the members' rows; while `held` is set, those reads wait for it. */
  flushes = 0;
  held: Promise<void> | null = null;

  override async rowsOfUsers(orgId: string, userIds: string[]): ReturnType<FakeReadStateRepository['rowsOfUsers']> {
    this.flushes++;
    if (this.held) await this.held;
    return super.rowsOfUsers(orgId, userIds);
  }

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

  it('while a flush is slow, what is queued meanwhile goes out in one batch after it, not in a flush per coalescing window', async () => {
    let release!: () => void;
    repo.held = new Promise<void>((r) => (release = r));
    await recordAndQueue(1, 'pat_a');
    const first = badges.flush();
    // Five coalescing windows pass while the first flush waits for the database, each with a message queued.
    for (let seq = 2; seq <= 6; seq++) {
      await recordAndQueue(seq, 'pat_a');
      await new Promise((r) => setTimeout(r, BADGE_COALESCE_MS + 20));
    }
    expect(repo.flushes).toBe(1);
    repo.held = null;
    release();
    await first;
    await badges.flush();
    expect(repo.flushes).toBe(2);
    const announced = publisher.of('badge.updated') as { badges: { userId: string; unread: number }[] }[];
    expect(announced).toHaveLength(2);
    expect(announced[1].badges.find((b) => b.userId === 'tm_1')?.unread).toBe(6);
  });

  it('a shutdown waits for the running flush and one more, not for what the load keeps queueing meanwhile', async () => {
    let release!: () => void;
    repo.held = new Promise<void>((r) => (release = r));
    await recordAndQueue(1, 'pat_a');
    void badges.flush();
    await recordAndQueue(2, 'pat_a');
    const shutdown = badges.onModuleDestroy();
    let done = false;
    void shutdown.then(() => (done = true));
    repo.held = null;
    release();
    // Messages keep arriving (the transport closes only after the destroy hooks): the shutdown ends regardless.
    let seq = 3;
    while (!done && seq < 50) {
      await recordAndQueue(seq++, 'pat_a');
      await new Promise((r) => setImmediate(r));
    }
    await shutdown;
    expect(done).toBe(true);
    expect(seq).toBeLessThan(50);
  });
});
