import 'reflect-metadata';
import { ErrorCode, EXPORT_PAGE_MAX, MessageView } from '@wellifiy/contracts';
import { managerActor, teamMemberActor } from '@wellifiy/testing';
import { MediaFile, MediaRepository } from '../media/media.repository';
import { ChannelMembership, MembershipRepository } from '../membership/membership.repository';
import { OpenedMessage, toMessageView } from '../messages/message.mapper';
import { MessageStore, SeqRange } from '../messages/message.store';
import { ExportService } from './export.service';

/** The timeline store as the export reads it (ascending from `after`, per organisation), bodies in the clear. */
class FakeTimeline implements Pick<MessageStore, 'list'> {
  readonly messages: OpenedMessage[] = [];
  readonly ranges: SeqRange[] = [];
  async list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]> {
    this.ranges.push(range);
    return this.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId && m.seq > (range.after ?? 0))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, range.limit)
      .map((m) => toMessageView(m));
  }
}

class FakeProjection implements Pick<MembershipRepository, 'find'> {
  readonly rows: ChannelMembership[] = [];
  async find(orgId: string, channelId: string): Promise<ChannelMembership | null> {
    return this.rows.find((r) => r.orgId === orgId && r.id === channelId) ?? null;
  }
}

class FakeMedia implements Pick<MediaRepository, 'find'> {
  readonly files: MediaFile[] = [];
  async find(orgId: string, mediaId: string): Promise<MediaFile | null> {
    return this.files.find((f) => f.orgId === orgId && f._id === mediaId) ?? null;
  }
}

describe('ExportService (a channel timeline for the chart export)', () => {
  const officer = teamMemberActor({ userId: 'tm_officer', perms: ['audit:read'] });
  let timeline: FakeTimeline;
  let projection: FakeProjection;
  let media: FakeMedia;
  let service: ExportService;

  const add = (seq: number, over: Partial<OpenedMessage> = {}): void => {
    timeline.messages.push({
      _id: `msg_${seq}`, orgId: 'org_1', channelId: 'ch_care', seq, senderId: 'pt_1', senderKind: 'patient', clientMessageId: `c${seq}`,
      body: `body ${seq}`, threadId: null, createdAt: new Date(Date.UTC(2026, 0, 1, 0, seq)), ...over,
    });
  };

  beforeEach(() => {
    timeline = new FakeTimeline();
    projection = new FakeProjection();
    media = new FakeMedia();
    service = new ExportService(timeline, projection, media);
    projection.rows.push(
      { id: 'ch_care', orgId: 'org_1', type: 'care_team', patientId: 'pt_1', members: [{ userId: 'pt_1', kind: 'patient' }], version: 1 },
      { id: 'ch_dm', orgId: 'org_1', type: 'dm', patientId: null, members: [{ userId: 'tm_1', kind: 'team_member' }], version: 1 },
    );
  });

  it('pages the whole timeline from a seq, bodies opened, for an officer who is not a member', async () => {
    for (let seq = 1; seq <= 5; seq++) add(seq);
    const first = await service.page({ actor: officer, channelId: 'ch_care', limit: 2 });
    expect({ seqs: first.messages.map((m) => m.seq), bodies: first.messages.map((m) => m.body), hasMore: first.hasMore })
      .toEqual({ seqs: [1, 2], bodies: ['body 1', 'body 2'], hasMore: true });
    const last = await service.page({ actor: officer, channelId: 'ch_care', after: 4, limit: 2 });
    expect({ seqs: last.messages.map((m) => m.seq), hasMore: last.hasMore }).toEqual({ seqs: [5], hasMore: false });
  });

  it('a page is bounded: never more than EXPORT_PAGE_MAX (one extra row only to learn whether more follow)', async () => {
    await service.page({ actor: officer, channelId: 'ch_care', limit: 10_000 });
    expect(timeline.ranges).toEqual([{ after: 0, limit: EXPORT_PAGE_MAX + 1 }]);
  });

  it('tombstones keep no content; attachments come with their type and size', async () => {
    add(1, { body: 'regret this', deleted: true, deletedBy: 'author', attachments: ['med_gone'] });
    add(2, { attachments: ['med_xray'] });
    media.files.push({ _id: 'med_xray', orgId: 'org_1', original: { contentType: 'image/png', size: 68 }, createdAt: new Date('2026-01-01T00:00:00Z') } as MediaFile);
    const page = await service.page({ actor: officer, channelId: 'ch_care' });
    expect(page.messages[0]).toMatchObject({ deleted: true, body: '' });
    expect(page.messages[0].attachments).toBeUndefined();
    expect(page.media).toEqual([{ id: 'med_xray', contentType: 'image/png', size: 68, createdAt: '2026-01-01T00:00:00.000Z' }]);
  });

  it.each([
    ['a team member', teamMemberActor()],
    ['a manager', managerActor()],
  ])('%s without audit:read is refused (403)', async (_label, actor) => {
    add(1);
    await expect(service.page({ actor, channelId: 'ch_care' })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });

  it("direct messages are never exported (404); another organisation's channel reads as empty", async () => {
    await expect(service.page({ actor: officer, channelId: 'ch_dm' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    add(1);
    const elsewhere = teamMemberActor({ orgId: 'org_2', perms: ['audit:read'] });
    expect(await service.page({ actor: elsewhere, channelId: 'ch_care' })).toEqual({ messages: [], media: [], hasMore: false });
  });
});
