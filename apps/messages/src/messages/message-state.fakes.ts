import { Actor, DomainError, ErrorCode, MessageView } from '@wellifiy/contracts';
import { OutboxEntry } from '@wellifiy/messaging';
import { ChannelMembership } from '../membership/membership.repository';
import { MessageMutation, MessageStateRepository, ThreadStats } from './message-state.repository';
import { MessageDraft, MessagesRepository, NewMessage, SeqRange, toMessageView } from './messages.repository';

/** One in-memory message store behind both repository interfaces, with their contracts (seq, idempotency, versions). */
export class FakeMessageStore extends MessageStateRepository {
  readonly messages: NewMessage[] = [];
  readonly outbox: OutboxEntry[] = [];

  readonly timeline: MessagesRepository = new FakeTimeline(this);

  add(message: Partial<NewMessage> & { _id: string; senderId: string }): NewMessage {
    const m: NewMessage = {
      orgId: 'org_1', channelId: 'ch_1', seq: this.messages.length + 1, senderKind: 'team_member',
      clientMessageId: `c-${message._id}`, body: `body of ${message._id}`, threadId: null, createdAt: new Date(Date.UTC(2026, 0, 1)),
      ...message,
    };
    this.messages.push(m);
    return m;
  }

  get(id: string): NewMessage {
    const m = this.messages.find((x) => x._id === id);
    if (!m) throw new Error(`no message ${id}`);
    return m;
  }

  async findById(orgId: string, channelId: string, messageId: string): Promise<NewMessage | null> {
    const m = this.messages.find((x) => x._id === messageId && x.orgId === orgId && x.channelId === channelId);
    return m ? { ...m } : null;
  }

  async findInOrg(orgId: string, messageId: string): Promise<NewMessage | null> {
    const m = this.messages.find((x) => x._id === messageId && x.orgId === orgId);
    return m ? { ...m } : null;
  }

  async update(orgId: string, channelId: string, messageId: string, mutate: MessageMutation): Promise<NewMessage | null> {
    const current = await this.findById(orgId, channelId, messageId);
    if (!current) return null;
    const change = await mutate(current);
    if (!change) return current;
    const next: NewMessage = { ...current, ...change.set, version: (current.version ?? 0) + 1 };
    this.messages.splice(this.messages.findIndex((x) => x._id === messageId), 1, next);
    this.outbox.push(...change.events(next));
    return next;
  }

  async listReplies(orgId: string, channelId: string, rootId: string, { after, limit }: { after?: number; limit: number }): Promise<NewMessage[]> {
    return this.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId && m.threadId === rootId && (after === undefined || m.seq > after))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  async threadStats(orgId: string, channelId: string, rootId: string): Promise<ThreadStats> {
    const replies = await this.listReplies(orgId, channelId, rootId, { limit: Number.MAX_SAFE_INTEGER });
    return { count: replies.length, lastAt: replies.length ? replies[replies.length - 1].createdAt : null };
  }
}

/** The timeline side (append, idempotency, paging) over the same messages. */
class FakeTimeline extends MessagesRepository {
  constructor(private readonly store: FakeMessageStore) {
    super();
  }

  async append(draft: MessageDraft, eventsFor: (m: MessageView) => OutboxEntry[]): Promise<MessageView | null> {
    const { messages, outbox } = this.store;
    if (messages.some((m) => m.channelId === draft.channelId && m.senderId === draft.senderId && m.clientMessageId === draft.clientMessageId)) return null;
    const seq = Math.max(0, ...messages.filter((m) => m.channelId === draft.channelId).map((m) => m.seq)) + 1;
    const message: NewMessage = { ...draft, seq };
    messages.push(message);
    const view = toMessageView(message);
    outbox.push(...eventsFor(view));
    return view;
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const m = this.store.messages.find((x) => x.orgId === orgId && x.channelId === channelId && x.senderId === senderId && x.clientMessageId === clientMessageId);
    return m ? toMessageView(m, senderId) : null;
  }

  async list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]> {
    return this.store.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId && (!range.rootsOnly || !m.threadId))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, range.limit)
      .map((m) => toMessageView(m, range.viewerId));
  }
}

/** Membership fake: members per channel, NOT_FOUND otherwise, like the real one. */
export class FakeMembership {
  readonly members = new Map<string, Set<string>>();

  async requireMember(actor: Actor, channelId: string): Promise<ChannelMembership> {
    if (!this.members.get(channelId)?.has(actor.userId)) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    return { id: channelId, orgId: actor.orgId, type: 'care_team', members: [], version: 1 };
  }
}
