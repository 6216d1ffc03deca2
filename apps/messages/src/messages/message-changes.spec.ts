import 'reflect-metadata';
import { MessageChanges } from './message-changes';
import { MessageEvents } from './message-events';
import { OpenedMessage, toMessageView } from './message.mapper';
import { MessageWrite } from './message.store';
import { FakeMessageStore } from './message.store.fakes';

/** A store where another writer changes the message between each read and the next `lost` writes. */
class RacedStore extends FakeMessageStore {
  lost = 0;

  override async write(change: MessageWrite): Promise<OpenedMessage | null> {
    if (this.lost > 0) {
      this.lost--;
      const m = this.get(change.current._id);
      this.messages.splice(this.messages.indexOf(m), 1, { ...m, reactions: [...(m.reactions ?? []), { emoji: 'like', userIds: [`other_${this.lost}`] }], version: (m.version ?? 0) + 1 });
    }
    return super.write(change);
  }
}

describe('MessageChanges (read, decide, write if unchanged)', () => {
  const ref = { orgId: 'org_1', channelId: 'ch_1', messageId: 'msg_1' };
  let store: RacedStore;
  let changes: MessageChanges;

  beforeEach(() => {
    store = new RacedStore();
    changes = new MessageChanges(store);
    store.add({ _id: 'msg_1', senderId: 'tm_1' });
  });

  const addMine = (m: { reactions?: { emoji: string; userIds: string[] }[] }) => ({
    set: { reactions: [...(m.reactions ?? []), { emoji: '🎉', userIds: ['me'] }] },
    events: (next: OpenedMessage) => [MessageEvents.updated(toMessageView(next), { orgId: 'org_1' })],
  });

  it('a change that lost to another writer is decided again on what that writer stored, so neither is lost', async () => {
    store.lost = 2;
    const seen: number[] = [];
    const result = await changes.apply(ref, (m) => {
      seen.push(m.reactions?.length ?? 0);
      return addMine(m);
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(result?.reactions?.map((r) => r.userIds[0])).toEqual(['other_1', 'other_0', 'me']);
    expect(store.get('msg_1').version).toBe(3);
    // Only the write that won carries its event, built from the message as it was stored.
    expect(store.outbox.map((e) => (e.data as { message: { reactions: unknown[] } }).message.reactions)).toHaveLength(1);
    expect(store.outbox[0].data).toMatchObject({ message: { reactions: [{ emoji: 'like' }, { emoji: 'like' }, { emoji: '🎉' }] } });
  });

  it('"nothing to do" writes nothing and returns the message as it stands; an unknown message is null', async () => {
    expect(await changes.apply(ref, () => null)).toMatchObject({ _id: 'msg_1' });
    expect(store.get('msg_1').version).toBeUndefined();
    expect(await changes.apply({ ...ref, messageId: 'msg_none' }, addMine)).toBeNull();
    expect(await changes.apply({ orgId: 'org_2', messageId: 'msg_1' }, addMine)).toBeNull();
  });

  it('gives up, with an error, on a message that changes under every attempt', async () => {
    store.lost = 1_000;
    await expect(changes.apply(ref, addMine)).rejects.toThrow(/kept changing/);
  }, 30_000);
});
