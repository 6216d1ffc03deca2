import 'reflect-metadata';
import { REACTIONS_PER_MESSAGE_MAX } from '@wellifiy/contracts';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { FakeMembership, FakeMessageStore } from '../messages/message.store.fakes';
import { applyReaction, ReactionsService } from './reactions.service';

describe('ReactionsService (likes and emoji reactions)', () => {
  const tm = teamMemberActor({ userId: 'tm_1' });
  const patient = patientActor({ userId: 'pat_1' });
  let store: FakeMessageStore;
  let service: ReactionsService;

  beforeEach(() => {
    store = new FakeMessageStore();
    const membership = new FakeMembership();
    membership.members.set('ch_1', new Set(['tm_1', 'pat_1']));
    service = new ReactionsService(new MessageChanges(store), membership as unknown as MembershipService);
    store.add({ _id: 'm1', senderId: 'tm_1' });
  });

  const react = (actor = tm, emoji = 'like', on = true) => service.react({ actor, channelId: 'ch_1', messageId: 'm1', emoji, on });

  it('counts per emoji, and `me` is rendered for the viewer', async () => {
    await react(tm, 'like');
    await react(patient, 'like');
    const forPatient = await react(patient, '🎉');
    expect(forPatient.reactions).toEqual([
      { emoji: 'like', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    const forTm = await react(tm, '🎉', false); // tm never reacted with 🎉: nothing changes
    expect(forTm.reactions).toEqual([
      { emoji: 'like', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
  });

  it('PUT is idempotent: the same reaction twice counts once and announces once', async () => {
    await react(tm, 'like');
    const again = await react(tm, 'like');
    expect(again.reactions).toEqual([{ emoji: 'like', count: 1, me: true }]);
    expect(store.outbox.map((e) => e.type)).toEqual(['reaction.updated']);
  });

  it('DELETE is idempotent and removes the emoji once nobody reacts with it', async () => {
    await react(tm, 'like');
    const removed = await react(tm, 'like', false);
    const again = await react(tm, 'like', false);
    expect(removed.reactions).toBeUndefined();
    expect(again.reactions).toBeUndefined();
    expect(store.get('m1').reactions).toEqual([]);
    expect(store.outbox).toHaveLength(2);
  });

  it('reaction.updated carries ids and counts, not names', async () => {
    await react(patient, '👍🏽');
    expect(store.outbox[0]).toMatchObject({
      type: 'reaction.updated',
      data: { channelId: 'ch_1', messageId: 'm1', seq: 1, userId: 'pat_1', emoji: '👍🏽', reacted: true, reactions: [{ emoji: '👍🏽', count: 1 }] },
    });
  });

  it.each(['hello', 'like!', '<script>', '$where', 'a.b', '🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂', '1', ''])('refuses %j with INVALID_REACTION and stores nothing', async (emoji) => {
    await expect(react(tm, emoji)).rejects.toMatchObject({ code: 'INVALID_REACTION' });
    expect(store.get('m1').reactions).toBeUndefined();
  });

  it('rule 1: a non-member gets NOT_FOUND; an unknown message NOT_FOUND; a deleted one 409', async () => {
    await expect(react(teamMemberActor({ userId: 'stranger' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.react({ actor: tm, channelId: 'ch_1', messageId: 'nope', emoji: 'like', on: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    store.add({ _id: 'gone', senderId: 'tm_1', deleted: true });
    await expect(service.react({ actor: tm, channelId: 'ch_1', messageId: 'gone', emoji: 'like', on: true })).rejects.toMatchObject({ code: 'MESSAGE_DELETED' });
  });

  describe(`issue 7: at most ${REACTIONS_PER_MESSAGE_MAX} distinct reactions per message`, () => {
    // Distinct single emoji from the emoticons block (U+1F600…), all valid reactions.
    const distinct = (n: number): string[] => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x1f600 + i));

    it(`a distinct reaction beyond the cap is refused with REACTION_LIMIT_REACHED naming the cap, and nothing changes`, async () => {
      for (const emoji of distinct(REACTIONS_PER_MESSAGE_MAX)) await react(tm, emoji);
      const before = store.outbox.length;

      await expect(react(patient, String.fromCodePoint(0x1f600 + REACTIONS_PER_MESSAGE_MAX))).rejects.toMatchObject({
        code: 'REACTION_LIMIT_REACHED',
        message: expect.stringContaining(`at most ${REACTIONS_PER_MESSAGE_MAX} distinct reactions`),
      });
      expect(store.get('m1').reactions).toHaveLength(REACTIONS_PER_MESSAGE_MAX);
      expect(store.outbox).toHaveLength(before);
    });

    it('at the cap, joining a reaction already there and removing one still work', async () => {
      const emojis = distinct(REACTIONS_PER_MESSAGE_MAX);
      for (const emoji of emojis) await react(tm, emoji);

      const joined = await react(patient, emojis[0]);
      expect(joined.reactions?.[0]).toEqual({ emoji: emojis[0], count: 2, me: true });
      await react(tm, emojis[1], false);
      await expect(react(tm, '🎉')).resolves.toMatchObject({ id: 'm1' });
      expect(store.get('m1').reactions).toHaveLength(REACTIONS_PER_MESSAGE_MAX);
    });
  });

  it('applyReaction keeps other users and emojis untouched', () => {
    const start = [{ emoji: 'like', userIds: ['a', 'b'] }, { emoji: '🎉', userIds: ['a'] }];
    expect(applyReaction(start, 'like', 'a', false)).toEqual([{ emoji: 'like', userIds: ['b'] }, { emoji: '🎉', userIds: ['a'] }]);
    expect(applyReaction(start, '🎉', 'b', true)).toEqual([{ emoji: 'like', userIds: ['a', 'b'] }, { emoji: '🎉', userIds: ['a', 'b'] }]);
    expect(applyReaction(start, 'like', 'a', true)).toBeNull();
  });
});
