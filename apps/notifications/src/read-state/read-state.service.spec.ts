import 'reflect-metadata';
import { ChannelSnapshot } from '@wellifiy/contracts';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { FakePublisher, message, readStateWithGroup, snapshot } from '../testing/fakes';
import { BadgePublisher } from './badge.publisher';
import { ReadStateService } from './read-state.service';

/** The channels service, answering channels.membership-check from a table. */
class FakeRpc {
  readonly channels = new Map<string, ChannelSnapshot>();
  async send(_pattern: string, data: { channelId: string }): Promise<{ channel: ChannelSnapshot | null }> {
    return { channel: this.channels.get(data.channelId) ?? null };
  }
}

describe('ReadStateService', () => {
  let publisher: FakePublisher;
  let rpc: FakeRpc;
  let badges: BadgePublisher;
  let service: ReadStateService;
  const tm = teamMemberActor({ userId: 'tm_1' });
  const alice = patientActor({ userId: 'pat_a' });

  beforeEach(async () => {
    rpc = new FakeRpc();
    ({ publisher, badges, readState: service } = await readStateWithGroup(rpc));
  });

  afterEach(() => badges.flush());

  it('out-of-order message events end on the right count', async () => {
    await service.recordMessage('org_1', message('grp', 3, 'tm_1'));
    await service.recordMessage('org_1', message('grp', 1, 'tm_1'));
    expect((await service.summary(teamMemberActor({ userId: 'tm_2' }))).total).toBe(3);
    expect((await service.summary(tm)).total).toBe(0);
  });

  it('markers only move forward; a move announces the badge and the receipt', async () => {
    for (let seq = 1; seq <= 5; seq++) await service.recordMessage('org_1', message('grp', seq, 'tm_2'));
    await badges.flush();
    publisher.events.length = 0;

    expect(await service.markRead(tm, 'grp', 3)).toEqual({ channelId: 'grp', readSeq: 3, unread: 2, total: 2 });
    expect(await service.markRead(tm, 'grp', 1)).toEqual({ channelId: 'grp', readSeq: 3, unread: 2, total: 2 });
    expect(publisher.of('badge.updated')).toEqual([{ badges: [{ userId: 'tm_1', total: 2, channelId: 'grp', unread: 2 }] }]);
    expect(publisher.of('receipt.updated')).toEqual([expect.objectContaining({ channelId: 'grp', userId: 'tm_1', userKind: 'team_member', readSeq: 3, visibleTo: null })]);
  });

  it('item 8: a read marker past the end stops at the last message, so a later message counts as unread', async () => {
    for (let seq = 1; seq <= 2; seq++) await service.recordMessage('org_1', message('grp', seq, 'tm_2'));
    expect(await service.markRead(tm, 'grp', 2_147_483_000)).toEqual({ channelId: 'grp', readSeq: 2, unread: 0, total: 0 });
    expect(publisher.of('receipt.updated')).toEqual([expect.objectContaining({ userId: 'tm_1', readSeq: 2 })]);

    await service.recordMessage('org_1', message('grp', 3, 'tm_2'));
    expect(await service.summary(tm)).toEqual({ total: 1, channels: [{ channelId: 'grp', unread: 1, muted: false, archived: false }] });
  });

  it("item 8: a marker for a message whose event has not arrived yet waits for it and is not clamped below it", async () => {
    await service.recordMessage('org_1', message('grp', 1, 'tm_2'));
    const later = new Promise<void>((resolve) => setTimeout(() => void service.recordMessage('org_1', message('grp', 2, 'tm_2')).then(() => resolve()), 200));
    expect(await service.markRead(tm, 'grp', 2)).toEqual({ channelId: 'grp', readSeq: 2, unread: 0, total: 0 });
    await later;
  });

  it("a patient's marker in a group is announced to the team members only", async () => {
    await service.recordMessage('org_1', message('grp', 1, 'tm_1'));
    await service.markRead(alice, 'grp', 1);
    expect(publisher.of('receipt.updated')[0].visibleTo.sort()).toEqual(['pat_a', 'tm_1', 'tm_2']);
  });

  it("receipts: team members see everyone's markers; a patient sees the team's and their own only", async () => {
    await service.recordMessage('org_1', message('grp', 1, 'tm_1'));
    await service.markRead(alice, 'grp', 1);
    const staffView = (await service.receipts(tm, 'grp')).receipts.map((r) => [r.userId, r.readSeq]);
    expect(staffView.sort()).toEqual([['pat_a', 1], ['pat_b', 0], ['tm_1', 1], ['tm_2', 0]]);
    const aliceView = (await service.receipts(alice, 'grp')).receipts.map((r) => r.userId);
    expect(aliceView.sort()).toEqual(['pat_a', 'tm_1', 'tm_2']);
  });

  it("a message moves its sender's marker with the channel's counters: nothing unread for them, their receipt at the message and its time, and a read below it moves nothing", async () => {
    const sent = [1, 2, 3].map((seq) => ({ ...message('grp', seq, 'tm_1'), createdAt: `2026-01-01T10:00:0${seq}.000Z` }));
    for (const m of sent) await service.recordMessage('org_1', m);
    expect(await service.summary(tm)).toEqual({ total: 0, channels: [{ channelId: 'grp', unread: 0, muted: false, archived: false }] });
    expect((await service.summary(alice)).total).toBe(3);
    expect((await service.receipts(tm, 'grp')).receipts[0]).toEqual({ userId: 'tm_1', kind: 'team_member', readSeq: 3, readAt: '2026-01-01T10:00:03.000Z' });

    publisher.events.length = 0;
    expect(await service.markRead(tm, 'grp', 2)).toEqual({ channelId: 'grp', readSeq: 3, unread: 0, total: 0 });
    expect(publisher.of('receipt.updated')).toEqual([]);
    expect(publisher.of('badge.updated')).toEqual([]);
  });

  it("a redelivered message event counts once and leaves the sender's marker and its time as they were", async () => {
    const first = { ...message('grp', 1, 'tm_2'), createdAt: '2026-01-01T10:00:01.000Z' };
    const second = { ...message('grp', 2, 'tm_2'), createdAt: '2026-01-01T10:00:02.000Z' };
    for (const m of [first, second, first, second, first]) await service.recordMessage('org_1', m);
    expect((await service.summary(alice)).total).toBe(2);
    expect((await service.summary(tm)).total).toBe(2);
    expect((await service.summary(teamMemberActor({ userId: 'tm_2' }))).total).toBe(0);
    const receipt = (await service.receipts(tm, 'grp')).receipts.find((r) => r.userId === 'tm_2');
    expect(receipt).toEqual({ userId: 'tm_2', kind: 'team_member', readSeq: 2, readAt: '2026-01-01T10:00:02.000Z' });
  });

  it('a deleted message stops counting, once, even when redelivered', async () => {
    for (let seq = 1; seq <= 3; seq++) await service.recordMessage('org_1', message('grp', seq, 'tm_1'));
    const deleted = { channelId: 'grp', messageId: 'msg_2', seq: 2, senderId: 'tm_1', actorId: 'tm_1' };
    await service.messageDeleted('org_1', deleted);
    await service.messageDeleted('org_1', deleted);
    expect((await service.summary(alice)).total).toBe(2);
  });

  it('an archived channel leaves the badge; the change is announced', async () => {
    await service.recordMessage('org_1', message('grp', 1, 'tm_1'));
    await badges.flush();
    publisher.events.length = 0;
    await service.archiveChanged('org_1', 'grp', 'pat_a', true, new Date());
    expect(await service.summary(alice)).toEqual({ total: 0, channels: [{ channelId: 'grp', unread: 1, muted: false, archived: true }] });
    expect(publisher.of('badge.updated')).toEqual([{ badges: [{ userId: 'pat_a', total: 0, channelId: 'grp', unread: 1 }] }]);
  });

  it('members added later start at the current seq; removed members lose the channel from their badge', async () => {
    for (let seq = 1; seq <= 4; seq++) await service.recordMessage('org_1', message('grp', seq, 'tm_1'));
    await service.membershipChanged({
      orgId: 'org_1', kind: 'changed',
      snapshot: snapshot('grp', 'group', [['tm_1', 'team_member'], ['tm_3', 'team_member'], ['pat_a', 'patient'], ['pat_b', 'patient']], 2),
    });
    expect((await service.summary(teamMemberActor({ userId: 'tm_3' }))).total).toBe(0);
    expect(await service.summary(teamMemberActor({ userId: 'tm_2' }))).toEqual({ total: 0, channels: [] });
    await expect(service.markRead(teamMemberActor({ userId: 'tm_2' }), 'grp', 4)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rule 1: when the projection lags, the channels service is asked once; a non-member or other organisation gets NOT_FOUND', async () => {
    rpc.channels.set('new', snapshot('new', 'care_team', [['tm_9', 'team_member'], ['pat_a', 'patient']], 1));
    await expect(service.markRead(teamMemberActor({ userId: 'tm_9' }), 'new', 0)).resolves.toMatchObject({ channelId: 'new', readSeq: 0 });
    await expect(service.markRead(tm, 'new', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.markRead(teamMemberActor({ userId: 'tm_1', orgId: 'org_2' }), 'grp', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rule 2: a patient listed in a staff channel still gets NOT_FOUND', async () => {
    await service.membershipChanged({ orgId: 'org_1', kind: 'created', snapshot: snapshot('stf', 'staff', [['tm_1', 'team_member'], ['pat_a', 'patient']]) });
    await expect(service.receipts(alice, 'stf')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
