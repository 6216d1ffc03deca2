import 'reflect-metadata';
import { Actor, DomainError, ErrorCode, MessageView } from '@wellifiy/contracts';
import { OutboxEntry } from '@wellifiy/messaging';
import { patientActor, teamMemberActor } from '@wellifiy/testing';
import { ChannelMembership } from '../membership/membership.repository';
import { MediaService } from '../media/media.service';
import { MembershipService } from '../membership/membership.service';
import { MessageDraft, OpenedMessage, toMessageView } from './message.mapper';
import { MessageStore, SeqRange } from './message.store';
import { DEFAULT_PAGE, MessagesService } from './messages.service';

/** In-memory messages store with the real repository's uniqueness and paging contract. */
class FakeMessagesRepository implements Pick<MessageStore, 'append' | 'findByClientId' | 'list'> {
  readonly messages: OpenedMessage[] = [];
  readonly outbox: OutboxEntry[] = [];
  appendCalls = 0;
  /** Runs just before an insert is applied: lets a test play a concurrent writer. */
  beforeInsert?: (m: OpenedMessage) => void;

  async append(draft: MessageDraft, eventsFor: (message: MessageView) => OutboxEntry[]): Promise<MessageView | null> {
    this.appendCalls++;
    const inChannel = this.messages.filter((m) => m.channelId === draft.channelId);
    const message: OpenedMessage = { ...draft, seq: Math.max(0, ...inChannel.map((m) => m.seq)) + 1 };
    this.beforeInsert?.(message);
    const clash = this.messages.some(
      (m) => m.channelId === message.channelId && (m.seq === message.seq || (m.senderId === message.senderId && m.clientMessageId === message.clientMessageId)),
    );
    if (clash) return null;
    const view = toMessageView(message);
    this.messages.push({ ...message });
    this.outbox.push(...eventsFor(view));
    return view;
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const m = this.messages.find((x) => x.orgId === orgId && x.channelId === channelId && x.senderId === senderId && x.clientMessageId === clientMessageId);
    return m ? toMessageView(m) : null;
  }

  async list(orgId: string, channelId: string, { after, before, limit }: SeqRange): Promise<MessageView[]> {
    const matching = this.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId)
      .filter((m) => (after === undefined || m.seq > after) && (before === undefined || m.seq < before))
      .sort((a, b) => a.seq - b.seq);
    const page = after === undefined ? matching.slice(-limit) : matching.slice(0, limit);
    return page.map((m) => toMessageView(m));
  }

  /** Seeds seq 1..n in a channel. */
  seed(channelId: string, n: number, orgId = 'org_1'): void {
    for (let seq = 1; seq <= n; seq++) {
      this.messages.push({
        _id: `msg_${channelId}_${seq}`, orgId, channelId, seq, senderId: 'tm_1', senderKind: 'team_member',
        clientMessageId: `seed-${seq}`, body: `message ${seq}`, threadId: null, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
      });
    }
  }
}

/** Membership fake: the actor is a member of the channels listed for them, else NOT_FOUND like the real one. */
class FakeMembership {
  readonly members = new Map<string, Set<string>>();

  async requireMember(actor: Actor, channelId: string): Promise<ChannelMembership> {
    if (!this.members.get(channelId)?.has(actor.userId)) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    return { id: channelId, orgId: actor.orgId, type: 'care_team', patientId: null, members: [], version: 1 };
  }
}

const seqs = (page: { messages: MessageView[] }): number[] => page.messages.map((m) => m.seq);

describe('MessagesService', () => {
  let repo: FakeMessagesRepository;
  let membership: FakeMembership;
  let service: MessagesService;
  const tm = teamMemberActor({ userId: 'tm_1' });
  const patient = patientActor({ userId: 'pat_1' });

  beforeEach(() => {
    repo = new FakeMessagesRepository();
    membership = new FakeMembership();
    membership.members.set('ch_1', new Set(['tm_1', 'pat_1']));
    service = new MessagesService(repo, membership as unknown as MembershipService, {} as MediaService); // attachments: media.service.spec.ts
  });

  describe('send', () => {
    it('rule 1: a non-member gets NOT_FOUND and nothing is stored or sequenced', async () => {
      await expect(service.send({ actor: teamMemberActor({ userId: 'tm_out' }), channelId: 'ch_1', clientMessageId: 'c1', body: 'hi' }))
        .rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(repo.messages).toEqual([]);
      expect(repo.appendCalls).toBe(0);
      expect(repo.outbox).toEqual([]);
    });

    it('a new message gets the next seq, is stored, and returns created=true', async () => {
      repo.seed('ch_1', 4);

      const res = await service.send({ actor: patient, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello' });

      expect(res.created).toBe(true);
      expect(res.message).toMatchObject({ channelId: 'ch_1', seq: 5, senderId: 'pat_1', senderKind: 'patient', clientMessageId: 'c-1', body: 'hello', threadId: null });
      expect(res.message.id).toMatch(/^msg_/);
      expect(repo.messages.find((m) => m.seq === 5)).toMatchObject({ orgId: 'org_1', body: 'hello' });
    });

    it('seq is strictly increasing across sends', async () => {
      const a = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'a', body: 'one' });
      const b = await service.send({ actor: patient, channelId: 'ch_1', clientMessageId: 'b', body: 'two' });
      const c = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c', body: 'three' });

      expect([a.message.seq, b.message.seq, c.message.seq]).toEqual([1, 2, 3]);
    });

    it('writes a message.created outbox event carrying the message view', async () => {
      const res = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello', correlationId: 'corr-9' });

      expect(repo.outbox).toHaveLength(1);
      expect(repo.outbox[0]).toMatchObject({ type: 'message.created', orgId: 'org_1', correlationId: 'corr-9' });
      expect(repo.outbox[0].data).toEqual({ message: res.message });
    });

    it('a retry with the same clientMessageId returns the original with created=false and allocates no seq', async () => {
      const first = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello' });

      const retry = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello (edited by a buggy client)' });

      expect(retry).toEqual({ message: first.message, created: false });
      expect(repo.messages).toHaveLength(1);
      expect(repo.outbox).toHaveLength(1);
      const next = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-2', body: 'next' });
      expect(next.message.seq).toBe(first.message.seq + 1);
    });

    it('the same clientMessageId from another sender is a different message', async () => {
      await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'from tm' });

      const res = await service.send({ actor: patient, channelId: 'ch_1', clientMessageId: 'c-1', body: 'from patient' });

      expect(res).toMatchObject({ created: true, message: { seq: 2, senderId: 'pat_1', body: 'from patient' } });
    });

    it('a concurrent retry that wins the insert is returned with created=false', async () => {
      repo.beforeInsert = (m) => {
        repo.beforeInsert = undefined;
        repo.messages.push({ ...m, _id: 'msg_winner', seq: 99 });
      };

      const res = await service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello' });

      expect(res).toMatchObject({ created: false, message: { id: 'msg_winner', seq: 99, clientMessageId: 'c-1' } });
      expect(repo.outbox).toEqual([]);
    });

    it('an insert refused with no original to return is a CONFLICT (client retries)', async () => {
      repo.beforeInsert = (m) => {
        repo.beforeInsert = undefined;
        // the seq is taken by someone else's message
        repo.messages.push({ ...m, _id: 'msg_other', senderId: 'tm_2', clientMessageId: 'other' });
      };

      await expect(service.send({ actor: tm, channelId: 'ch_1', clientMessageId: 'c-1', body: 'hello' })).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('list', () => {
    beforeEach(() => repo.seed('ch_1', 10));

    it('rule 1: a non-member gets NOT_FOUND', async () => {
      await expect(service.list({ actor: teamMemberActor({ userId: 'tm_out' }), channelId: 'ch_1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('default page is the newest N ascending, hasMore when older ones exist', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', limit: 3 });

      expect(seqs(page)).toEqual([8, 9, 10]);
      expect(page.hasMore).toBe(true);
    });

    it('default page size is DEFAULT_PAGE, hasMore false when everything fits', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1' });

      expect(DEFAULT_PAGE).toBe(50);
      expect(seqs(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(page.hasMore).toBe(false);
    });

    it('after returns the oldest page above it, ascending, with hasMore when newer ones remain', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', after: 4, limit: 3 });

      expect(seqs(page)).toEqual([5, 6, 7]);
      expect(page.hasMore).toBe(true);
    });

    it('after reaching the newest message has hasMore false (reconnect catch-up is exact)', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', after: 7, limit: 3 });

      expect(seqs(page)).toEqual([8, 9, 10]);
      expect(page.hasMore).toBe(false);
    });

    it('after the last seq returns an empty page', async () => {
      expect(await service.list({ actor: tm, channelId: 'ch_1', after: 10 })).toEqual({ messages: [], hasMore: false });
    });

    it('before returns the newest messages below it, ascending, with hasMore when older ones remain', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', before: 8, limit: 3 });

      expect(seqs(page)).toEqual([5, 6, 7]);
      expect(page.hasMore).toBe(true);
    });

    it('before reaching the oldest message has hasMore false', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', before: 4, limit: 3 });

      expect(seqs(page)).toEqual([1, 2, 3]);
      expect(page.hasMore).toBe(false);
    });

    it('after and before together page within the window from the oldest', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', after: 2, before: 9, limit: 4 });

      expect(seqs(page)).toEqual([3, 4, 5, 6]);
      expect(page.hasMore).toBe(true);
    });

    it.each([
      [5, 6],
      [5, 5],
      [6, 5],
    ])('after=%i before=%i is an empty window (before <= after + 1)', async (after, before) => {
      expect(await service.list({ actor: tm, channelId: 'ch_1', after, before })).toEqual({ messages: [], hasMore: false });
    });

    it('after=5 before=7 holds exactly seq 6', async () => {
      const page = await service.list({ actor: tm, channelId: 'ch_1', after: 5, before: 7 });

      expect(seqs(page)).toEqual([6]);
      expect(page.hasMore).toBe(false);
    });

    it('returns only the requested channel\'s messages', async () => {
      repo.seed('ch_2', 3);
      membership.members.set('ch_2', new Set(['tm_1']));

      const page = await service.list({ actor: tm, channelId: 'ch_2' });

      expect(page.messages.map((m) => m.id)).toEqual(['msg_ch_2_1', 'msg_ch_2_2', 'msg_ch_2_3']);
    });
  });
});
