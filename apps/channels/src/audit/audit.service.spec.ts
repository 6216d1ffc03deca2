import 'reflect-metadata';
import { EventEnvelope } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { AuditEntry, AuditQuery, AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** In-memory audit trail with the real repository's semantics: insert-only by id, per organisation, newest first. */
class FakeAuditRepository extends AuditRepository {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry): Promise<void> {
    if (!this.entries.some((e) => e._id === entry._id)) this.entries.push({ ...entry });
  }

  async list(orgId: string, { channelId, before, limit }: AuditQuery): Promise<AuditEntry[]> {
    return this.entries
      .filter((e) => e.orgId === orgId && (!channelId || e.channelId === channelId) && (!before || e.at < before))
      .sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1))
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }
}

const envelope = <T>(type: string, data: T, overrides: Partial<EventEnvelope<T>> = {}): EventEnvelope<T> => ({
  id: 'evt_1', type, source: 'channels', time: '2026-02-01T10:00:00.000Z', orgId: 'org_1', data, ...overrides,
});

const snapshot = { id: 'ch_care', type: 'care_team', patientId: 'pat_1', members: [], needsStaffing: false, version: 2 };

describe('AuditService', () => {
  let repo: FakeAuditRepository;
  let audit: AuditService;

  beforeEach(() => {
    repo = new FakeAuditRepository();
    audit = new AuditService(repo);
  });

  describe('record', () => {
    it('maps channel.member.added to an entry: actor, action, channel, target, reason', async () => {
      await audit.record(envelope('channel.member.added', { channel: snapshot, userId: 'tm_3', userKind: 'team_member', actorId: 'tm_1', reason: 'cover' }), 'tm_fallback');

      expect(repo.entries).toEqual([{
        _id: 'evt_1', orgId: 'org_1', at: new Date('2026-02-01T10:00:00.000Z'), actorId: 'tm_1', action: 'channel.member.added',
        channelId: 'ch_care', targetUserId: 'tm_3', reason: 'cover',
      }]);
    });

    it('rule 5: a fallback removal records the system actor and the reason', async () => {
      await audit.record(envelope('channel.member.removed', { channel: snapshot, userId: 'tm_gone', actorId: 'system:archived-member-fallback', reason: 'team_member_archived' }), 'x');

      expect(repo.entries[0]).toMatchObject({ actorId: 'system:archived-member-fallback', targetUserId: 'tm_gone', reason: 'team_member_archived', channelId: 'ch_care' });
    });

    it('channel.created has no target and no reason', async () => {
      await audit.record(envelope('channel.created', { channel: snapshot, actorId: 'tm_1' }), 'tm_1');

      expect(repo.entries[0]).toMatchObject({ actorId: 'tm_1', action: 'channel.created', channelId: 'ch_care', targetUserId: null, reason: null });
    });

    it('rule 8: channel.archived (channelId, userId) records the user as actor and target', async () => {
      await audit.record(envelope('channel.archived', { channelId: 'ch_care', userId: 'pat_1' }, { id: 'evt_2', orgId: 'org_2' }), 'pat_1');

      expect(repo.entries).toEqual([{
        _id: 'evt_2', orgId: 'org_2', at: new Date('2026-02-01T10:00:00.000Z'), actorId: 'pat_1', action: 'channel.archived',
        channelId: 'ch_care', targetUserId: 'pat_1', reason: null,
      }]);
    });

    it('uses the fallback actor when the event names none', async () => {
      await audit.record(envelope('channel.updated', { channel: snapshot }), 'tm_fallback');

      expect(repo.entries[0]).toMatchObject({ actorId: 'tm_fallback', targetUserId: null });
    });

    it('a replayed event does not add a second entry', async () => {
      const e = envelope('channel.created', { channel: snapshot, actorId: 'tm_1' });
      await audit.record(e, 'tm_1');
      await audit.record(e, 'tm_1');

      expect(repo.entries).toHaveLength(1);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      const times = ['2026-02-01T10:00:00.000Z', '2026-02-01T11:00:00.000Z', '2026-02-01T12:00:00.000Z'];
      for (const [i, time] of times.entries()) {
        await audit.record(envelope('channel.member.added', { channel: snapshot, userId: `tm_${i}`, userKind: 'team_member', actorId: 'tm_1' }, { id: `evt_a${i}`, time }), 'x');
      }
      await audit.record(envelope('channel.created', { channel: { ...snapshot, id: 'ch_other' }, actorId: 'tm_1' }, { id: 'evt_b', time: '2026-02-01T09:00:00.000Z' }), 'x');
      await audit.record(envelope('channel.created', { channel: snapshot, actorId: 'tm_x' }, { id: 'evt_org2', orgId: 'org_2' }), 'x');
    });

    it.each([
      ['a team member without messaging:manage', teamMemberActor()],
      ['a patient', patientActor()],
    ])('rule 6: the audit trail needs messaging:manage: %s gets FORBIDDEN', async (_label, actor) => {
      await expect(audit.list(actor, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('rule 1: a manager lists only their own organisation, newest first, as views', async () => {
      const entries = await audit.list(managerActor(), {});

      expect(entries.map((e) => e.id)).toEqual(['evt_a2', 'evt_a1', 'evt_a0', 'evt_b']);
      expect(entries[0]).toEqual({
        id: 'evt_a2', at: '2026-02-01T12:00:00.000Z', actorId: 'tm_1', action: 'channel.member.added', channelId: 'ch_care', targetUserId: 'tm_2', reason: null,
      });
      expect((await audit.list(managerActor({ orgId: 'org_2' }), {})).map((e) => e.id)).toEqual(['evt_org2']);
    });

    it('filters by channel, before and limit', async () => {
      const m = managerActor();

      expect((await audit.list(m, { channelId: 'ch_other' })).map((e) => e.id)).toEqual(['evt_b']);
      expect((await audit.list(m, { before: '2026-02-01T11:00:00.000Z' })).map((e) => e.id)).toEqual(['evt_a0', 'evt_b']);
      expect((await audit.list(m, { limit: 2 })).map((e) => e.id)).toEqual(['evt_a2', 'evt_a1']);
    });

    it('returns at most 100 entries by default', async () => {
      for (let i = 0; i < 120; i++) {
        await audit.record(envelope('channel.archived', { channelId: 'ch_care', userId: 'pat_1' }, { id: `evt_many${i}`, time: '2026-01-01T00:00:00.000Z' }), 'pat_1');
      }

      expect(await audit.list(managerActor(), {})).toHaveLength(100);
    });

    it.each(['yesterday', 'not-a-date', '2026-13-45T99:00:00Z'])('a bad `before` (%p) is VALIDATION_FAILED naming before', async (before) => {
      await expect(audit.list(managerActor(), { before }))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'before' }] });
    });
  });
});
