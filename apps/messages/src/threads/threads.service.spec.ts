import 'reflect-metadata';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { FakeMembership, FakeMessageStore } from '../messages/message.store.fakes';
import { ThreadsService } from './threads.service';

describe('ThreadsService (threaded replies)', () => {
  const tm = teamMemberActor({ userId: 'tm_1' });
  const patient = patientActor({ userId: 'pat_1' });
  let store: FakeMessageStore;
  let service: ThreadsService;

  beforeEach(() => {
    store = new FakeMessageStore();
    const membership = new FakeMembership();
    membership.members.set('ch_1', new Set(['tm_1', 'pat_1']));
    service = new ThreadsService(store, new MessageChanges(store), membership as unknown as MembershipService);
    store.add({ _id: 'root', senderId: 'pat_1', senderKind: 'patient', seq: 1 });
  });

  const reply = (messageId: string, clientMessageId: string, actor = tm) =>
    service.reply({ actor, channelId: 'ch_1', messageId, clientMessageId, body: `reply ${clientMessageId}` });

  it('a reply is a message of the channel with the next seq and threadId = the root', async () => {
    const res = await reply('root', 'r1');
    expect(res).toMatchObject({ created: true, message: { seq: 2, threadId: 'root', senderId: 'tm_1', body: 'reply r1' } });
  });

  it('a reply to a reply joins the same root', async () => {
    const first = await reply('root', 'r1');
    const nested = await reply(first.message.id, 'r2', patient);
    expect(nested.message.threadId).toBe('root');
    expect(store.get('root')).toMatchObject({ replyCount: 2 });
  });

  it('the root carries replyCount and lastReplyAt, announced with message.updated', async () => {
    await reply('root', 'r1');
    await reply('root', 'r2', patient);
    const root = store.get('root');
    const last = store.messages.find((m) => m.clientMessageId === 'r2');
    expect(root.replyCount).toBe(2);
    expect(root.lastReplyAt).toEqual(last?.createdAt);
    const updates = store.outbox.filter((e) => e.type === 'message.updated').map((e) => (e.data as { message: { id: string; replyCount: number } }).message);
    expect(updates.map((m) => [m.id, m.replyCount])).toEqual([['root', 1], ['root', 2]]);
    expect(store.outbox.filter((e) => e.type === 'message.created')).toHaveLength(2);
  });

  it('a retried clientMessageId returns the original reply, takes no seq and keeps the count exact', async () => {
    const first = await reply('root', 'r1');
    const again = await reply('root', 'r1');
    expect(again).toEqual({ created: false, message: first.message });
    expect(store.messages).toHaveLength(2);
    expect(store.get('root').replyCount).toBe(1);
  });

  it('a retry heals a root whose recount was lost (crash between the two writes)', async () => {
    await reply('root', 'r1');
    store.messages.splice(store.messages.findIndex((m) => m._id === 'root'), 1, { ...store.get('root'), replyCount: 0 });
    await reply('root', 'r1');
    expect(store.get('root').replyCount).toBe(1);
  });

  it('listReplies pages by seq with its own cursor, ascending, with hasMore', async () => {
    store.add({ _id: 'other', senderId: 'tm_1', seq: 2 });
    for (const id of ['a', 'b', 'c']) await reply('root', id);
    const page1 = await service.listReplies({ actor: patient, channelId: 'ch_1', messageId: 'root', limit: 2 });
    expect(page1.messages.map((m) => m.body)).toEqual(['reply a', 'reply b']);
    expect(page1.hasMore).toBe(true);
    const page2 = await service.listReplies({ actor: patient, channelId: 'ch_1', messageId: 'root', after: page1.messages[1].seq, limit: 2 });
    expect(page2).toMatchObject({ messages: [{ body: 'reply c' }], hasMore: false });
  });

  it('unknown or deleted targets: NOT_FOUND / MESSAGE_DELETED; a reply is not a thread to list; non-members NOT_FOUND', async () => {
    await expect(reply('nope', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    store.add({ _id: 'gone', senderId: 'tm_1', deleted: true });
    await expect(reply('gone', 'y')).rejects.toMatchObject({ code: 'MESSAGE_DELETED' });
    const r = await reply('root', 'z');
    await expect(service.listReplies({ actor: tm, channelId: 'ch_1', messageId: r.message.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(reply('root', 'w', teamMemberActor({ userId: 'stranger' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.listReplies({ actor: teamMemberActor({ userId: 'stranger' }), channelId: 'ch_1', messageId: 'root' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
