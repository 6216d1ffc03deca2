import 'reflect-metadata';
import { EventEnvelope } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { Permission } from '@wellifiy/contracts';
import { AuditEntry, AuditQuery, AuditRepository } from './audit.repository';
import { AuditService, ChannelPatientLookup } from './audit.service';

/** The channels the trail can name a patient for. */
class FakePatients extends ChannelPatientLookup {
  constructor(private readonly byChannel: Record<string, string>) {
    super();
  }
  async patientOf(orgId: string, channelId: string): Promise<string | null> {
    return orgId === 'org_1' ? (this.byChannel[channelId] ?? null) : null;
  }
}

/** In-memory audit trail with the real repository's semantics: insert-only by id, per organisation, newest first. */
class FakeAuditRepository extends AuditRepository {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry): Promise<void> {
    if (!this.entries.some((e) => e._id === entry._id)) this.entries.push({ ...entry });
  }

  async list(orgId: string, q: AuditQuery): Promise<AuditEntry[]> {
    const newer = (a: { at: Date; _id: string }, b: { at: Date; id: string }): boolean => a.at > b.at || (a.at.getTime() === b.at.getTime() && a._id > b.id);
    return this.entries
      .filter((e) => e.orgId === orgId)
      .filter((e) => (!q.channelId || e.channelId === q.channelId) && (!q.patientId || e.patientId === q.patientId))
      .filter((e) => (!q.actorId || e.actorId === q.actorId) && (!q.action || e.action === q.action))
      .filter((e) => (!q.from || e.at >= q.from) && (!q.to || e.at < q.to) && (!q.after || newer({ at: q.after.at, _id: q.after.id }, { at: e.at, id: e._id })))
      .sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1))
      .slice(0, q.limit)
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
    audit = new AuditService(repo, new FakePatients({ ch_care: 'pat_1' }));
  });

  describe('record', () => {
    it('maps channel.member.added to an entry: actor, action, channel, target, reason', async () => {
      await audit.record(envelope('channel.member.added', { channel: snapshot, userId: 'tm_3', userKind: 'team_member', actorId: 'tm_1', reason: 'cover' }), 'tm_fallback');

      expect(repo.entries).toEqual([{
        _id: 'evt_1', orgId: 'org_1', at: new Date('2026-02-01T10:00:00.000Z'), actorId: 'tm_1', action: 'channel.member.added',
        channelId: 'ch_care', patientId: 'pat_1', targetUserId: 'tm_3', messageId: null, mediaId: null, fromSeq: null, toSeq: null, reason: 'cover',
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
        channelId: 'ch_care', patientId: null, targetUserId: 'pat_1', messageId: null, mediaId: null, fromSeq: null, toSeq: null, reason: null,
      }]);
    });

    it('message.created becomes message.sent: sender, channel, the channel\'s patient, message id and seq — never the body', async () => {
      const message = { id: 'msg_1', channelId: 'ch_care', seq: 7, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: 'c1', body: 'secret text', createdAt: '2026-02-01T10:00:00.000Z' };
      await audit.recordSent(envelope('message.created', { message }) as never);

      expect(repo.entries).toEqual([{
        _id: 'evt_1', orgId: 'org_1', at: new Date('2026-02-01T10:00:00.000Z'), actorId: 'tm_1', action: 'message.sent',
        channelId: 'ch_care', patientId: 'pat_1', targetUserId: null, messageId: 'msg_1', mediaId: null, fromSeq: 7, toSeq: 7, reason: null,
      }]);
      expect(JSON.stringify(repo.entries)).not.toContain('secret');
    });

    it('reaction.updated becomes reaction.added or reaction.removed by the reacting user', async () => {
      const data = { channelId: 'ch_care', messageId: 'msg_1', seq: 3, userId: 'pat_1', emoji: '👍', reacted: true, reactions: [{ emoji: '👍', count: 1 }] };
      await audit.recordReaction(envelope('reaction.updated', data) as never);
      await audit.recordReaction(envelope('reaction.updated', { ...data, reacted: false, reactions: [] }, { id: 'evt_2' }) as never);

      expect(repo.entries.map((e) => [e.action, e.actorId, e.messageId, e.fromSeq, e.patientId])).toEqual([
        ['reaction.added', 'pat_1', 'msg_1', 3, 'pat_1'], ['reaction.removed', 'pat_1', 'msg_1', 3, 'pat_1'],
      ]);
    });

    it('audit.recorded from another service keeps its action, ids, seqs and reason; the event id is the entry id', async () => {
      const data = { action: 'message.deleted', actorId: 'tm_2', channelId: 'ch_care', messageId: 'msg_1', fromSeq: 4, toSeq: 4, reason: 'wrong patient' };
      await audit.recordAudited(envelope('audit.recorded', data, { id: 'deleted:msg_1' }) as never);
      await audit.recordAudited(envelope('audit.recorded', data, { id: 'deleted:msg_1' }) as never);

      expect(repo.entries).toEqual([{
        _id: 'deleted:msg_1', orgId: 'org_1', at: new Date('2026-02-01T10:00:00.000Z'), actorId: 'tm_2', action: 'message.deleted',
        channelId: 'ch_care', patientId: 'pat_1', targetUserId: null, messageId: 'msg_1', mediaId: null, fromSeq: 4, toSeq: 4, reason: 'wrong patient',
      }]);
    });

    it('an audited read without a channel (a media read) names no patient', async () => {
      await audit.recordAudited(envelope('audit.recorded', { action: 'media.read', actorId: 'pat_1', mediaId: 'med_1' }) as never);

      expect(repo.entries[0]).toMatchObject({ action: 'media.read', channelId: null, patientId: null, mediaId: 'med_1' });
    });

    it('a member list read is recorded with the reader, the channel and its patient', async () => {
      await audit.recordRead(teamMemberActor({ userId: 'tm_5' }), 'channel.members.read', { channelId: 'ch_care' });

      expect(repo.entries).toEqual([expect.objectContaining({ _id: expect.stringMatching(/^aud_/), actorId: 'tm_5', action: 'channel.members.read', channelId: 'ch_care', patientId: 'pat_1' })]);
    });

    it("channel.archived names only the channel: the entry gets the channel's patient", async () => {
      await audit.record(envelope('channel.archived', { channelId: 'ch_care', userId: 'pat_1' }), 'pat_1');

      expect(repo.entries[0]).toMatchObject({ action: 'channel.archived', channelId: 'ch_care', patientId: 'pat_1' });
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

    const officer = (orgId = 'org_1') => teamMemberActor({ userId: 'tm_officer', orgId, perms: [Permission.AuditRead] });
    const ids = (page: { entries: { id: string }[] }) => page.entries.map((e) => e.id);

    it.each([
      ['a team member', teamMemberActor()],
      ['a patient', patientActor()],
      ['a manager without audit:read', managerActor()],
    ])('the audit trail needs audit:read: %s gets FORBIDDEN', async (_label, actor) => {
      await expect(audit.list(actor, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('rule 1: a compliance officer lists only their own organisation, newest first, as views', async () => {
      const page = await audit.list(officer(), {});
      expect(ids(page)).toEqual(['evt_a2', 'evt_a1', 'evt_a0', 'evt_b']);
      expect(page.nextCursor).toBeNull();
      expect(page.entries[0]).toEqual({
        id: 'evt_a2', at: '2026-02-01T12:00:00.000Z', actorId: 'tm_1', action: 'channel.member.added', channelId: 'ch_care', patientId: 'pat_1', targetUserId: 'tm_2',
        messageId: null, mediaId: null, fromSeq: null, toSeq: null, reason: null,
      });
      expect(ids(await audit.list(officer('org_2'), {}))).toEqual(['evt_org2']);
    });

    it('filters by channel, patient, actor, action, from and to', async () => {
      const o = officer();
      expect(ids(await audit.list(o, { channelId: 'ch_other' }))).toEqual(['evt_b']);
      expect(ids(await audit.list(o, { patientId: 'pat_1', action: 'channel.created' }))).toEqual(['evt_b']);
      expect(ids(await audit.list(o, { patientId: 'pat_nobody' }))).toEqual([]);
      expect(ids(await audit.list(o, { actorId: 'tm_x' }))).toEqual([]);
      expect(ids(await audit.list(o, { action: 'channel.member.added', from: '2026-02-01T11:00:00.000Z' }))).toEqual(['evt_a2', 'evt_a1']);
      expect(ids(await audit.list(o, { to: '2026-02-01T11:00:00.000Z' }))).toEqual(['evt_a0', 'evt_b']);
    });

    it('cursor paging: pages of `limit` follow each other without gaps or repeats, the last has no cursor', async () => {
      for (let i = 0; i < 5; i++) {
        await audit.record(envelope('channel.archived', { channelId: 'ch_care', userId: 'pat_1' }, { id: `evt_same${i}`, time: '2026-02-01T11:00:00.000Z' }), 'pat_1');
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await audit.list(officer(), { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(['evt_a2', 'evt_same4', 'evt_same3', 'evt_same2', 'evt_same1', 'evt_same0', 'evt_a1', 'evt_a0', 'evt_b']);
    });

    it('every query of the trail is itself audited: who asked, when, with which filters', async () => {
      await audit.list(officer(), { channelId: 'ch_care', actorId: 'tm_1' });
      expect(repo.entries.filter((e) => e.action === 'audit.queried')).toEqual([
        { _id: expect.stringMatching(/^aud_/), orgId: 'org_1', at: expect.any(Date), actorId: 'tm_officer', action: 'audit.queried', channelId: 'ch_care', patientId: null, targetUserId: 'tm_1',
          messageId: null, mediaId: null, fromSeq: null, toSeq: null, reason: null },
      ]);
    });

    it('an export is recorded once as audit.exported, on its first page; its later pages add no entry', async () => {
      const first = await audit.list(officer(), { export: true, limit: 2 });
      await audit.list(officer(), { export: true, limit: 2, cursor: first.nextCursor ?? '' });

      expect(repo.entries.filter((e) => e.action.startsWith('audit.')).map((e) => e.action)).toEqual(['audit.exported']);
    });

    it('returns at most 100 entries by default and never more than 200', async () => {
      for (let i = 0; i < 220; i++) {
        await audit.record(envelope('channel.archived', { channelId: 'ch_care', userId: 'pat_1' }, { id: `evt_many${i}`, time: '2026-01-01T00:00:00.000Z' }), 'pat_1');
      }
      expect((await audit.list(officer(), {})).entries).toHaveLength(100);
      expect((await audit.list(officer(), { limit: 500 })).entries).toHaveLength(200);
    });

    it.each(['yesterday', 'not-a-date', '2026-13-45T99:00:00Z'])('a bad `from` or `to` (%p) is VALIDATION_FAILED naming the field', async (value) => {
      await expect(audit.list(officer(), { from: value })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'from' }] });
      await expect(audit.list(officer(), { to: value })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'to' }] });
    });

    it.each(['garbage', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"at":"x"}').toString('base64url')])('a cursor this API did not return (%p) is VALIDATION_FAILED naming cursor', async (cursor) => {
      await expect(audit.list(officer(), { cursor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'cursor' }] });
    });
  });
});
