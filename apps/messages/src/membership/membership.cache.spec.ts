import { ChannelSnapshot } from '@wellifiy/contracts';
import { MembershipCache, membershipOf } from './membership.cache';

function snap(id: string, version: number, members: string[]): ChannelSnapshot {
  return { id, type: 'group', patientId: null, needsStaffing: false, version, members: members.map((userId) => ({ userId, kind: 'team_member' as const })) };
}

describe('MembershipCache', () => {
  let now: number;
  let cache: MembershipCache;

  beforeEach(() => {
    now = 1_000_000;
    cache = new MembershipCache({ ttlMs: 10_000, maxEntries: 3, now: () => now });
    cache.connected();
  });

  it('serves what was put, per organisation and channel, until the time limit', () => {
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    expect(cache.get('org_1', 'ch_1')?.members).toEqual([{ userId: 'a', kind: 'team_member' }]);
    expect(cache.get('org_2', 'ch_1')).toBeUndefined();
    now += 10_001;
    expect(cache.get('org_1', 'ch_1')).toBeUndefined();
  });

  it('an event replaces an older cached entry with its snapshot', () => {
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a', 'b'])));
    cache.observe('org_1', snap('ch_1', 2, ['b']));
    expect(cache.get('org_1', 'ch_1')).toMatchObject({ version: 2, members: [{ userId: 'b' }] });
    // an older event, redelivered or out of order, changes nothing
    cache.observe('org_1', snap('ch_1', 1, ['a', 'b']));
    expect(cache.get('org_1', 'ch_1')).toMatchObject({ version: 2 });
  });

  it('never caches a projection read older than an event already heard', () => {
    cache.observe('org_1', snap('ch_1', 5, ['b'])); // nothing cached yet: only the version is remembered
    cache.put(membershipOf('org_1', snap('ch_1', 4, ['a', 'b'])));
    expect(cache.get('org_1', 'ch_1')).toBeUndefined();
    cache.put(membershipOf('org_1', snap('ch_1', 5, ['b'])));
    expect(cache.get('org_1', 'ch_1')).toMatchObject({ version: 5 });
    // nor lets an older read replace a newer entry
    cache.put(membershipOf('org_1', snap('ch_1', 3, ['a'])));
    expect(cache.get('org_1', 'ch_1')).toMatchObject({ version: 5 });
  });

  it('serves and keeps nothing while the feed is disconnected', () => {
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    cache.disconnected();
    expect(cache.get('org_1', 'ch_1')).toBeUndefined();
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    expect(cache.size).toBe(0);
  });

  it('after a reconnect caches nothing for one time limit (events of the gap reached the service queue only)', () => {
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    cache.disconnected();
    cache.connected();
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    expect(cache.get('org_1', 'ch_1')).toBeUndefined();
    now += 10_000;
    cache.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    expect(cache.get('org_1', 'ch_1')).toMatchObject({ version: 1 });
  });

  it('is not used before the feed is first bound', () => {
    const fresh = new MembershipCache({ ttlMs: 10_000, maxEntries: 3, now: () => now });
    fresh.put(membershipOf('org_1', snap('ch_1', 1, ['a'])));
    expect(fresh.get('org_1', 'ch_1')).toBeUndefined();
  });

  it('keeps at most maxEntries channels, dropping the oldest', () => {
    for (const id of ['ch_1', 'ch_2', 'ch_3', 'ch_4']) cache.put(membershipOf('org_1', snap(id, 1, ['a'])));
    expect(cache.size).toBe(3);
    expect(cache.get('org_1', 'ch_1')).toBeUndefined();
    expect(cache.get('org_1', 'ch_4')).toBeDefined();
  });
});
