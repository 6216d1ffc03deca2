import 'reflect-metadata';
import { MessageView } from '@wellifiy/contracts';
import { DigestScheduler } from '../digest/digest.scheduler';
import { PushService } from '../push/push.service';
import { BadgePublisher } from '../read-state/badge.publisher';
import { ReadStateService } from '../read-state/read-state.service';
import { FakePublisher, message, readStateWithGroup } from '../testing/fakes';
import { NewMessageService } from './new-message.service';

describe('NewMessageService', () => {
  let publisher: FakePublisher;
  let badges: BadgePublisher;
  let readState: ReadStateService;
  let service: NewMessageService;
  const activity: string[] = [];
  const pushes: string[] = [];

  beforeEach(async () => {
    ({ publisher, badges, readState } = await readStateWithGroup());
    activity.length = 0;
    pushes.length = 0;
    const digests = { channelActivity: async (_o: string, channelId: string) => void activity.push(channelId) };
    const push = { messageCreated: async (_o: string, m: MessageView) => void pushes.push(m.id) };
    service = new NewMessageService(readState, badges, digests as unknown as DigestScheduler, push as unknown as PushService);
  });

  afterEach(() => badges.flush());

  it('messages close together cost one badge event for all members, with the counts after the last; the sender has nothing unread', async () => {
    await service.messageCreated('org_1', message('grp', 1, 'pat_a'));
    await service.messageCreated('org_1', message('grp', 2, 'tm_1'));
    expect(publisher.of('badge.updated')).toEqual([]); // waiting for BADGE_COALESCE_MS

    await badges.flush();
    const [only, ...more] = publisher.of('badge.updated');
    expect(more).toEqual([]);
    expect(only.badges).toEqual([
      { userId: 'tm_1', total: 0, channelId: 'grp', unread: 0 },
      { userId: 'tm_2', total: 2, channelId: 'grp', unread: 2 },
      { userId: 'pat_a', total: 1, channelId: 'grp', unread: 1 },
      { userId: 'pat_b', total: 2, channelId: 'grp', unread: 2 },
    ]);
    expect(activity).toEqual(['grp', 'grp']);
    expect(pushes).toEqual(['msg_1', 'msg_2']);
  });
});
