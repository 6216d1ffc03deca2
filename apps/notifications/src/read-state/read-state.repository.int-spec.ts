import { randomUUID } from 'node:crypto';
import { KeyRing } from '@wellifiy/crypto';
import { EventPublisher, EventSeal, OutboxRelay } from '@wellifiy/messaging';
import { IN_LIST_MAX, MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, uniqueName } from '@wellifiy/testing';
import { MongoSettingsRepository, SettingsRepository } from '../settings/settings.repository';
import { SETTINGS_MODEL, SettingsSchema } from '../settings/settings.schema';
import { recorded, snapshot } from '../testing/fakes';
import { CHANNEL_STATE_MODEL, ChannelStateSchema } from './channel-state.schema';
import { MongoReadStateRepository, ReadStateRepository } from './read-state.repository';
import { READ_STATE_MODEL, ReadStateSchema } from './read-state.schema';
import { readMarker, unreadAfter } from './unread';

describe('notifications repositories (FerretDB)', () => {
  const org = uniqueName('org');
  let suite: IntegrationModule;
  let repo: ReadStateRepository;
  let settings: SettingsRepository;

  beforeAll(async () => {
    suite = await integrationModule({
      database: MongoModule,
      models: [
        { name: CHANNEL_STATE_MODEL, schema: ChannelStateSchema },
        { name: READ_STATE_MODEL, schema: ReadStateSchema },
        { name: SETTINGS_MODEL, schema: SettingsSchema },
      ],
      providers: [
        {
          // settings changes carry their audit.recorded event; nothing here reads the broker
          provide: OutboxRelay,
          useValue: new OutboxRelay(
            { publishEnvelope: () => Promise.resolve() } as unknown as EventPublisher, 'it-notifications',
            { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(KeyRing.parse(`it1:${KeyRing.generateKey()}`, 'it1')),
          ),
        },
        { provide: ReadStateRepository, useClass: MongoReadStateRepository },
        { provide: SettingsRepository, useClass: MongoSettingsRepository },
      ],
    });
    repo = suite.moduleRef.get(ReadStateRepository);
    settings = suite.moduleRef.get(SettingsRepository);
  });

  afterAll(() => suite?.close());

  const members = (n: number): [string, 'team_member' | 'patient'][] => [['pat_1', 'patient'], ...Array.from({ length: n }, (_, i) => [`tm_${i + 1}`, 'team_member'] as [string, 'team_member'])];

  it('membership snapshots apply newest-wins in any order; removed members are no longer members', async () => {
    const ch = `ch_${randomUUID()}`;
    for (const v of [3, 1, 2]) await repo.applySnapshot(org, snapshot(ch, 'care_team', members(v), v), v === 1 ? 'zero' : 'current');
    expect((await repo.channel(org, ch))?.version).toBe(3);
    expect((await repo.memberRows(org, ch)).map((r) => r.userId).sort()).toEqual(['pat_1', 'tm_1', 'tm_2', 'tm_3']);

    const change = await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1), 4), 'current');
    expect(change).toEqual({ applied: true, added: [], removed: expect.arrayContaining(['tm_2', 'tm_3']) });
    expect((await repo.memberRows(org, ch)).map((r) => r.userId).sort()).toEqual(['pat_1', 'tm_1']);
    expect(await repo.channel(uniqueName('other-org'), ch)).toBeNull();
  });

  it('concurrent message events (any order) leave the channel at the highest seq, and the sender at their own message', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(2)), 'zero');
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(seqs.map((seq) => repo.recordMessage(org, recorded(ch, seq, seq % 2 ? 'tm_1' : 'pat_1'))));

    const channel = await repo.channel(org, ch);
    expect(channel?.lastSeq).toBe(40);
    const marker = async (userId: string) => channel && readMarker(channel, (await repo.row(org, ch, userId)) ?? { userId, readSeq: -1 }).readSeq;
    expect(await marker('tm_1')).toBe(39);
    expect(await marker('pat_1')).toBe(40);
    expect(await marker('tm_2')).toBe(0);
  });

  it("one write records a message: the sender's marker and its time come with the last seq (ids with '.' or '$' too), the member rows are not written, and redeliveries change nothing", async () => {
    const ch = `ch_${randomUUID()}`;
    const dotted = 'tm.1';
    const dollar = '$pat';
    await repo.applySnapshot(org, snapshot(ch, 'care_team', [[dotted, 'team_member'], [dollar, 'patient'], ['tm_2', 'team_member']]), 'zero');
    const at = (seq: number) => new Date(`2026-01-01T10:00:0${seq}.000Z`);
    const sends = [
      { channelId: ch, seq: 1, senderId: dotted, at: at(1) },
      { channelId: ch, seq: 2, senderId: dollar, at: at(2) },
      { channelId: ch, seq: 3, senderId: dotted, at: at(3) },
    ];
    for (const m of sends) await repo.recordMessage(org, m);
    const recordedOnce = await repo.channel(org, ch);
    expect(recordedOnce?.lastSeq).toBe(3);
    expect(recordedOnce?.sent).toEqual(new Map([[dotted, { seq: 3, at: at(3) }], [dollar, { seq: 2, at: at(2) }]]));

    // Redelivered, concurrently and out of order: nothing moves, nothing counts twice.
    await Promise.all([...sends, ...sends, ...sends].reverse().map((m) => repo.recordMessage(org, m)));
    const channel = await repo.channel(org, ch);
    expect(channel).toEqual(recordedOnce);
    const rows = new Map((await repo.memberRows(org, ch)).map((r) => [r.userId, r]));
    expect([dotted, dollar, 'tm_2'].map((u) => rows.get(u)).map((r) => r && { readSeq: r.readSeq, readAt: r.readAt })).toEqual(
      [{ readSeq: 0, readAt: null }, { readSeq: 0, readAt: null }, { readSeq: 0, readAt: null }],
    );
    const marker = (userId: string) => channel && readMarker(channel, rows.get(userId) ?? { userId, readSeq: 0 });
    expect(marker(dotted)).toEqual({ readSeq: 3, readAt: at(3) });
    expect(marker(dollar)).toEqual({ readSeq: 2, readAt: at(2) });
    expect(channel && unreadAfter(channel, marker('tm_2')?.readSeq ?? -1)).toBe(3);
    expect(channel && unreadAfter(channel, marker(dollar)?.readSeq ?? -1)).toBe(1);

    // A read past one's own message moves the row, and the marker follows it.
    await repo.markRead(org, ch, dollar, 3, at(4));
    const after = await repo.row(org, ch, dollar);
    expect(channel && after && readMarker(channel, after)).toEqual({ readSeq: 3, readAt: at(4) });
  });

  it('a message event racing the creation of its channel (several writers) keeps every sender and the highest seq', async () => {
    const ch = `ch_${randomUUID()}`;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => repo.recordMessage(org, { channelId: ch, seq: i + 1, senderId: `u_${i % 4}`, at: new Date(Date.UTC(2026, 0, 1, 10, 0, i + 1)) })),
    );
    const channel = await repo.channel(org, ch);
    expect(channel?.lastSeq).toBe(12);
    expect([...(channel?.sent ?? new Map()).entries()].map(([u, m]) => [u, m.seq]).sort()).toEqual([['u_0', 9], ['u_1', 10], ['u_2', 11], ['u_3', 12]]);
  });

  it('recordMessage returns the channel as it stands after the message (members included); another organisation gets null', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(2)), 'zero');
    const after = await repo.recordMessage(org, recorded(ch, 7, 'tm_1'));
    expect(after).toMatchObject({ id: ch, lastSeq: 7, members: expect.arrayContaining([expect.objectContaining({ userId: 'tm_2' })]) });
    expect(await repo.recordMessage(org, recorded(ch, 3, 'tm_1'))).toMatchObject({ lastSeq: 7 });
    expect(await repo.recordMessage(uniqueName('other-org'), recorded(ch, 9, 'tm_1'))).toBeNull();
    expect((await repo.channel(org, ch))?.lastSeq).toBe(7);
  });

  it('a message event before the channel is known creates its counter; the snapshot keeps it and new members start at zero', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.recordMessage(org, recorded(ch, 2, 'tm_1'));
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1)), 'zero');
    const channel = await repo.channel(org, ch);
    expect(channel).toMatchObject({ lastSeq: 2, type: 'care_team', version: 1 });
    const row = await repo.row(org, ch, 'pat_1');
    expect(row?.readSeq).toBe(0);
    expect(channel && unreadAfter(channel, 0)).toBe(2);
  });

  it('read markers only move forward, also under concurrent reads from several devices', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1)), 'zero');
    const results = await Promise.all([5, 9, 2, 7, 9, 1].map((seq) => repo.markRead(org, ch, 'tm_1', seq, new Date())));
    expect(results.filter((r) => r?.moved).length).toBeGreaterThanOrEqual(1);
    expect((await repo.row(org, ch, 'tm_1'))?.readSeq).toBe(9);
    expect(await repo.markRead(org, ch, 'tm_1', 3, new Date())).toEqual({ readSeq: 9, moved: false });
    expect(await repo.markRead(uniqueName('other-org'), ch, 'tm_1', 20, new Date())).toBeNull();
  });

  it('a deletion is recorded once, even when redelivered concurrently, and also before the channel is known', async () => {
    const ch = `ch_${randomUUID()}`;
    const first = await Promise.all([repo.recordDeletion(org, ch, 3, 'pat_1'), repo.recordDeletion(org, ch, 3, 'pat_1'), repo.recordDeletion(org, ch, 5, 'pat_1')]);
    expect(first.filter(Boolean)).toHaveLength(2);
    await repo.recordMessage(org, recorded(ch, 6, 'pat_1'));
    const channel = await repo.channel(org, ch);
    expect(channel?.deleted.map((d) => d.seq).sort()).toEqual([3, 5]);
    expect(channel && unreadAfter(channel, 0)).toBe(4);
  });

  it('archive flags are ordered by event time, not arrival', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1)), 'zero');
    expect(await repo.setArchived(org, ch, 'tm_1', false, new Date('2026-01-01T10:00:02Z'))).toBe(true);
    expect(await repo.setArchived(org, ch, 'tm_1', true, new Date('2026-01-01T10:00:01Z'))).toBe(false);
    expect((await repo.row(org, ch, 'tm_1'))?.archived).toBe(false);
    expect(await repo.setArchived(org, ch, 'tm_1', true, new Date('2026-01-01T10:00:03Z'))).toBe(true);
    expect((await repo.row(org, ch, 'tm_1'))?.archived).toBe(true);
  });

  it('digest markers move forward only; repair replaces the counters', async () => {
    const ch = `ch_${randomUUID()}`;
    await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1)), 'zero');
    await repo.advanceDigest(org, 'tm_1', [{ channelId: ch, seq: 6 }]);
    await repo.advanceDigest(org, 'tm_1', [{ channelId: ch, seq: 4 }]);
    expect((await repo.row(org, ch, 'tm_1'))?.digestSeq).toBe(6);

    await repo.recordMessage(org, recorded(ch, 50, 'pat_1'));
    await repo.repairChannel(org, ch, 12, [{ seq: 4, senderId: 'pat_1' }, { seq: 4, senderId: 'pat_1' }]);
    expect(await repo.channel(org, ch)).toMatchObject({ lastSeq: 12, deleted: [{ seq: 4, senderId: 'pat_1' }] });
  });

  it('channels() returns exactly the requested channels of the organisation, for few ids and for more than one $in holds', async () => {
    const ids = Array.from({ length: IN_LIST_MAX + 20 }, () => `ch_${randomUUID()}`);
    for (const ch of ids) await repo.applySnapshot(org, snapshot(ch, 'care_team', members(1)), 'zero');
    const elsewhere = `ch_${randomUUID()}`;
    await repo.applySnapshot(uniqueName('other-org'), snapshot(elsewhere, 'care_team', members(1)), 'zero');

    for (const wanted of [ids.slice(0, 3), ids, [...ids.slice(0, 2), elsewhere, 'ch_unknown'], [...ids, elsewhere]]) {
      const found = await repo.channels(org, [...wanted, wanted[0]]);
      expect([...found.keys()].sort()).toEqual(wanted.filter((id) => ids.includes(id)).sort());
      for (const [id, c] of found) expect(c.id).toBe(id);
    }
  });

  it('rowsOfUsers and settings for more users than one $in holds: every one of them, once', async () => {
    const ch = `ch_${randomUUID()}`;
    const users = Array.from({ length: IN_LIST_MAX + 15 }, (_, i) => `tm_many_${i}_${randomUUID().slice(0, 6)}`);
    await repo.applySnapshot(org, snapshot(ch, 'care_team', users.map((u) => [u, 'team_member'] as [string, 'team_member'])), 'zero');
    const rows = await repo.rowsOfUsers(org, [...users, users[0]]);
    expect(rows.map((r) => r.userId).sort()).toEqual([...users].sort());
    expect(rows.every((r) => r.channelId === ch)).toBe(true);
    const fields = { emailFrequency: 'daily' as const, emailDelayMinutes: 10, pushEnabled: true, mutedChannelIds: [] };
    await Promise.all(users.map((u) => settings.save(org, u, fields, 0, 'a')));
    const stored = await settings.findMany(org, [...users, 'nobody']);
    expect([...stored.keys()].sort()).toEqual([...users].sort());
  });

  it('rowsOfUsers returns the channels a user is a member of, in their organisation only', async () => {
    const a = `ch_${randomUUID()}`;
    const b = `ch_${randomUUID()}`;
    const user = `tm_${randomUUID().slice(0, 6)}`;
    await repo.applySnapshot(org, snapshot(a, 'staff', [[user, 'team_member']]), 'zero');
    await repo.applySnapshot(org, snapshot(b, 'dm', [[user, 'team_member']]), 'zero');
    await repo.applySnapshot(uniqueName('other-org'), snapshot(`ch_${randomUUID()}`, 'dm', [[user, 'team_member']]), 'zero');
    expect((await repo.rowsOfUsers(org, [user])).map((r) => r.channelId).sort()).toEqual([a, b].sort());
  });

  it('settings are saved by version compare-and-set: of two concurrent writers exactly one wins', async () => {
    const user = `pat_${randomUUID().slice(0, 6)}`;
    const fields = { emailFrequency: 'daily' as const, emailDelayMinutes: 10, pushEnabled: true, mutedChannelIds: [] };
    const created = await Promise.all([settings.save(org, user, fields, 0, 'a'), settings.save(org, user, { ...fields, pushEnabled: false }, 0, 'b')]);
    expect(created.filter(Boolean)).toHaveLength(1);
    const updated = await Promise.all([settings.save(org, user, fields, 1, 'a'), settings.save(org, user, fields, 1, 'b')]);
    expect(updated.filter(Boolean)).toHaveLength(1);
    expect((await settings.find(org, user))?.version).toBe(2);
    expect((await settings.findMany(org, [user, 'nobody'])).size).toBe(1);
  });
});
