import { Actor, DomainError, ErrorCode, MessageView } from '@wellifiy/contracts';
import { OutboxEntry } from '@wellifiy/messaging';
import { ChannelMembership } from '../membership/membership.repository';
import { MessageDraft, OpenedMessage, toMessageView } from './message.mapper';
import { DueQuery, MessageStore, MessageWrite, PurgeCandidate, SeqRange, ThreadStats } from './message.store';

/** The message store in memory, with its contracts (seq, idempotency, versions). */
export class FakeMessageStore extends MessageStore {
  readonly messages: OpenedMessage[] = [];
  readonly outbox: OutboxEntry[] = [];

  add(message: Partial<OpenedMessage> & { _id: string; senderId: string }): OpenedMessage {
    const m: OpenedMessage = {
      orgId: 'org_1', channelId: 'ch_1', seq: this.messages.length + 1, senderKind: 'team_member',
      clientMessageId: `c-${message._id}`, body: `body of ${message._id}`, threadId: null, createdAt: new Date(Date.UTC(2026, 0, 1)),
      ...message,
    };
    this.messages.push(m);
    return m;
  }

  get(id: string): OpenedMessage {
    const m = this.messages.find((x) => x._id === id);
    if (!m) throw new Error(`no message ${id}`);
    return m;
  }

  async append(draft: MessageDraft, eventsFor: (m: MessageView) => OutboxEntry[]): Promise<MessageView | null> {
    if (this.messages.some((m) => m.channelId === draft.channelId && m.senderId === draft.senderId && m.clientMessageId === draft.clientMessageId)) return null;
    const seq = Math.max(0, ...this.messages.filter((m) => m.channelId === draft.channelId).map((m) => m.seq)) + 1;
    const message: OpenedMessage = { ...draft, seq };
    this.messages.push(message);
    const view = toMessageView(message);
    this.outbox.push(...eventsFor(view));
    return view;
  }

  async findByClientId(orgId: string, channelId: string, senderId: string, clientMessageId: string): Promise<MessageView | null> {
    const m = this.messages.find((x) => x.orgId === orgId && x.channelId === channelId && x.senderId === senderId && x.clientMessageId === clientMessageId);
    return m ? toMessageView(m, senderId) : null;
  }

  async list(orgId: string, channelId: string, range: SeqRange): Promise<MessageView[]> {
    return this.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId && (!range.rootsOnly || !m.threadId))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, range.limit)
      .map((m) => toMessageView(m, range.viewerId));
  }

  async findById(orgId: string, channelId: string, messageId: string): Promise<OpenedMessage | null> {
    const m = this.messages.find((x) => x._id === messageId && x.orgId === orgId && x.channelId === channelId);
    return m ? { ...m } : null;
  }

  async findInOrg(orgId: string, messageId: string): Promise<OpenedMessage | null> {
    const m = this.messages.find((x) => x._id === messageId && x.orgId === orgId);
    return m ? { ...m } : null;
  }

  async write({ current, set, events }: MessageWrite): Promise<OpenedMessage | null> {
    const i = this.messages.findIndex((x) => x._id === current._id && x.orgId === current.orgId);
    if (i < 0 || (this.messages[i].version ?? 0) !== (current.version ?? 0)) return null;
    const next: OpenedMessage = { ...this.messages[i], ...set, version: (current.version ?? 0) + 1 };
    this.messages.splice(i, 1, next);
    this.outbox.push(...events);
    return { ...next };
  }

  async listReplies(orgId: string, channelId: string, rootId: string, { after, limit }: { after?: number; limit: number }): Promise<OpenedMessage[]> {
    return this.messages
      .filter((m) => m.orgId === orgId && m.channelId === channelId && m.threadId === rootId && (after === undefined || m.seq > after))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  async threadStats(orgId: string, channelId: string, rootId: string): Promise<ThreadStats> {
    const replies = await this.listReplies(orgId, channelId, rootId, { limit: Number.MAX_SAFE_INTEGER });
    return { count: replies.length, lastAt: replies.length ? replies[replies.length - 1].createdAt : null };
  }

  async contentDue(q: DueQuery): Promise<PurgeCandidate[]> {
    return this.due(q, (m) => !m.purgedAt);
  }

  async mediaDue(q: DueQuery): Promise<PurgeCandidate[]> {
    return this.due(q, (m) => Boolean(m.attachments?.length) && !m.mediaPurgedAt);
  }

  async purgeContent(orgId: string, messageId: string, at: Date): Promise<void> {
    this.replace(orgId, messageId, (m) => (m.purgedAt ? m : { ...m, body: '', linkPreview: null, deleted: true, deletedAt: at, deletedBy: 'retention', purgedAt: at, mediaPurgedAt: at, attachments: undefined }));
  }

  async purgeMedia(orgId: string, messageId: string, at: Date): Promise<void> {
    this.replace(orgId, messageId, (m) => (m.mediaPurgedAt ? m : { ...m, mediaPurgedAt: at, attachments: undefined }));
  }

  async withoutBucket(): Promise<{ _id: string; seq: number }[]> {
    return [];
  }

  async setBucket(): Promise<void> {
    // Messages in memory have no timeline buckets.
  }

  private due({ orgId, before, excludedChannels, limit }: DueQuery, still: (m: OpenedMessage) => boolean): PurgeCandidate[] {
    return this.messages
      .filter((m) => m.orgId === orgId && m.createdAt < before && !excludedChannels.includes(m.channelId) && still(m))
      .slice(0, limit)
      .map((m) => ({ id: m._id, channelId: m.channelId, attachments: m.attachments ?? [] }));
  }

  private replace(orgId: string, messageId: string, change: (m: OpenedMessage) => OpenedMessage): void {
    const i = this.messages.findIndex((x) => x._id === messageId && x.orgId === orgId);
    if (i >= 0) this.messages.splice(i, 1, { ...change(this.messages[i]), version: (this.messages[i].version ?? 0) + 1 });
  }
}

/** Membership fake: members per channel, NOT_FOUND otherwise, like the real one. */
export class FakeMembership {
  readonly members = new Map<string, Set<string>>();

  async requireMember(actor: Actor, channelId: string): Promise<ChannelMembership> {
    if (!this.members.get(channelId)?.has(actor.userId)) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
    return { id: channelId, orgId: actor.orgId, type: 'care_team', patientId: null, members: [], version: 1 };
  }
}
