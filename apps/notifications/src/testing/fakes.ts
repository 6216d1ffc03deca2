import { ChannelSnapshot, MessageView, UserKind } from '@wellifiy/contracts';
import { EventPublisher, RpcClient } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { OutgoingEmail, Mailer } from '../digest/mailer';
import { BadgePublisher } from '../read-state/badge.publisher';
import { ChannelState, ReadState, ReadStateRepository, RecordedMessage, SnapshotChange } from '../read-state/read-state.repository';
import { ReadStateService } from '../read-state/read-state.service';
import { Recipient, RecipientsRepository } from '../recipients/recipients.repository';
import { SettingsFields, SettingsRepository, StoredSettings } from '../settings/settings.repository';

function blankChannel(id: string, orgId: string): ChannelState {
  return { id, orgId, type: null, lastSeq: 0, version: 0, members: [], deleted: [], sent: new Map() };
}

/** In-memory ReadStateRepository with the real one's rules (versions, forward-only markers), for unit tests. */
export class FakeReadStateRepository extends ReadStateRepository {
  readonly channelsById = new Map<string, ChannelState>();
  readonly rows = new Map<string, ReadState & { memberVersion: number }>();

  private key(channelId: string, userId: string): string {
    return `${channelId}|${userId}`;
  }

  async applySnapshot(orgId: string, s: ChannelSnapshot, initial: 'zero' | 'current'): Promise<SnapshotChange> {
    const current = this.channelsById.get(s.id);
    if (current && current.version >= s.version) return { applied: false, added: [], removed: [] };
    const lastSeq = current?.lastSeq ?? 0;
    this.channelsById.set(s.id, { ...(current ?? blankChannel(s.id, orgId)), orgId, type: s.type, version: s.version, members: s.members.map((m) => ({ ...m })) });
    const added: string[] = [];
    const removed: string[] = [];
    for (const m of s.members) {
      const row = this.rows.get(this.key(s.id, m.userId));
      if (!row?.member) added.push(m.userId);
      const start = initial === 'zero' ? 0 : lastSeq;
      this.rows.set(this.key(s.id, m.userId), row
        ? { ...row, member: true, memberVersion: s.version, kind: m.kind }
        : { orgId, channelId: s.id, userId: m.userId, kind: m.kind, member: true, memberVersion: s.version, readSeq: start, readAt: null, digestSeq: start, archived: false });
    }
    for (const row of this.rows.values()) {
      if (row.channelId === s.id && row.member && !s.members.some((m) => m.userId === row.userId)) {
        row.member = false;
        removed.push(row.userId);
      }
    }
    return { applied: true, added, removed };
  }

  async recordMessage(orgId: string, { channelId, seq, senderId, at }: RecordedMessage): Promise<ChannelState | null> {
    const c = this.channelsById.get(channelId) ?? blankChannel(channelId, orgId);
    if (c.orgId !== orgId) return null;
    c.lastSeq = Math.max(c.lastSeq, seq);
    const sent = new Map(c.sent);
    const before = sent.get(senderId);
    if (!before || before.seq < seq) sent.set(senderId, { seq, at });
    c.sent = sent;
    this.channelsById.set(channelId, c);
    return this.channel(orgId, channelId);
  }

  async recordDeletion(orgId: string, channelId: string, seq: number, senderId: string): Promise<boolean> {
    const c = this.channelsById.get(channelId) ?? blankChannel(channelId, orgId);
    this.channelsById.set(channelId, c);
    if (c.deleted.some((d) => d.seq === seq)) return false;
    c.deleted.push({ seq, senderId });
    return true;
  }

  async markRead(orgId: string, channelId: string, userId: string, seq: number, at: Date): Promise<{ readSeq: number; moved: boolean } | null> {
    const row = this.rows.get(this.key(channelId, userId));
    if (!row || row.orgId !== orgId) return null;
    const moved = seq > row.readSeq;
    if (moved) Object.assign(row, { readSeq: seq, readAt: at });
    return { readSeq: row.readSeq, moved };
  }

  async setArchived(orgId: string, channelId: string, userId: string, archived: boolean): Promise<boolean> {
    const row = this.rows.get(this.key(channelId, userId));
    if (!row) return false;
    row.archived = archived;
    return true;
  }

  async advanceDigest(orgId: string, userId: string, covered: { channelId: string; seq: number }[]): Promise<void> {
    for (const c of covered) {
      const row = this.rows.get(this.key(c.channelId, userId));
      if (row && row.digestSeq < c.seq) row.digestSeq = c.seq;
    }
  }

  async repairChannel(orgId: string, channelId: string, lastSeq: number, deleted: { seq: number; senderId: string }[]): Promise<void> {
    const c = this.channelsById.get(channelId) ?? blankChannel(channelId, orgId);
    Object.assign(c, { lastSeq, deleted: [...deleted] });
    this.channelsById.set(channelId, c);
  }

  async channel(orgId: string, channelId: string): Promise<ChannelState | null> {
    const c = this.channelsById.get(channelId);
    return c && c.orgId === orgId ? structuredClone(c) : null;
  }

  async channels(orgId: string, ids: string[]): Promise<Map<string, ChannelState>> {
    const out = new Map<string, ChannelState>();
    for (const id of ids) {
      const c = await this.channel(orgId, id);
      if (c) out.set(id, c);
    }
    return out;
  }

  async row(orgId: string, channelId: string, userId: string): Promise<ReadState | null> {
    const r = this.rows.get(this.key(channelId, userId));
    return r && r.orgId === orgId ? { ...r } : null;
  }

  async memberRows(orgId: string, channelId: string): Promise<ReadState[]> {
    return [...this.rows.values()].filter((r) => r.orgId === orgId && r.channelId === channelId && r.member).map((r) => ({ ...r }));
  }

  async rowsOfUsers(orgId: string, userIds: string[]): Promise<ReadState[]> {
    return [...this.rows.values()].filter((r) => r.orgId === orgId && userIds.includes(r.userId) && r.member).map((r) => ({ ...r }));
  }
}

export class FakeSettingsRepository extends SettingsRepository {
  readonly stored = new Map<string, StoredSettings>();

  async find(orgId: string, userId: string): Promise<StoredSettings | null> {
    return this.stored.get(`${orgId}|${userId}`) ?? null;
  }

  async findMany(orgId: string, userIds: string[]): Promise<Map<string, StoredSettings>> {
    const out = new Map<string, StoredSettings>();
    for (const u of userIds) {
      const s = this.stored.get(`${orgId}|${u}`);
      if (s) out.set(u, s);
    }
    return out;
  }

  async save(orgId: string, userId: string, fields: SettingsFields, expectedVersion: number, actorId: string): Promise<StoredSettings | null> {
    const current = this.stored.get(`${orgId}|${userId}`);
    if ((current?.version ?? 0) !== expectedVersion) return null;
    const next = { userId, ...fields, version: expectedVersion + 1, updatedAt: new Date(), updatedBy: actorId };
    this.stored.set(`${orgId}|${userId}`, next);
    return next;
  }
}

export class FakeRecipientsRepository extends RecipientsRepository {
  readonly recipients = new Map<string, Recipient>();

  add(orgId: string, userId: string, kind: UserKind, email: string | null = `${userId}@example.test`): void {
    this.recipients.set(`${orgId}|${userId}`, { orgId, userId, kind, email, archived: false, updatedAt: new Date() });
  }

  async insertIfAbsent(orgId: string, userId: string, kind: UserKind, email: string | null): Promise<void> {
    if (!this.recipients.has(`${orgId}|${userId}`)) this.add(orgId, userId, kind, email);
  }

  async update(orgId: string, userId: string, fields: Partial<Pick<Recipient, 'email' | 'archived'>>): Promise<boolean> {
    const r = this.recipients.get(`${orgId}|${userId}`);
    if (!r) return false;
    Object.assign(r, fields);
    return true;
  }

  async find(orgId: string, userId: string): Promise<Recipient | null> {
    return this.recipients.get(`${orgId}|${userId}`) ?? null;
  }
}

export class FakeMailer extends Mailer {
  readonly sent: OutgoingEmail[] = [];
  enabled = true;

  async send(email: OutgoingEmail): Promise<void> {
    this.sent.push(email);
  }
}

export function snapshot(id: string, type: ChannelSnapshot['type'], members: [string, UserKind][], version = 1): ChannelSnapshot {
  return { id, type, patientId: null, needsStaffing: false, version, members: members.map(([userId, kind]) => ({ userId, kind })) };
}

export const DEFAULTS = { DIGEST_DEFAULT_FREQUENCY: 'after_delay', DIGEST_DEFAULT_DELAY_MINUTES: 15 } as const;

/** Records what would go out on the broker. */
export class FakePublisher {
  readonly events: { type: string; data: any }[] = [];
  async publish(type: string, data: unknown): Promise<void> {
    this.events.push({ type, data });
  }
  of(type: string): any[] {
    return this.events.filter((e) => e.type === type).map((e) => e.data);
  }
}

/** A message as the read-state repository records it, sent now. */
export const recorded = (channelId: string, seq: number, senderId: string): RecordedMessage => ({ channelId, seq, senderId, at: new Date() });

export const message = (channelId: string, seq: number, senderId: string): MessageView => ({
  id: `msg_${seq}`, channelId, seq, senderId, senderKind: senderId.startsWith('pat') ? 'patient' : 'team_member', clientMessageId: `c${seq}`, body: 'x', createdAt: new Date().toISOString(),
});

/**
 * The read-state service and badge publisher over in-memory repositories, with a group `grp` of two team members
 * (tm_1, tm_2) and two patients (pat_a, pat_b) in org_1, and nothing published yet.
 */
export async function readStateWithGroup(rpc: unknown = {}): Promise<{ repo: FakeReadStateRepository; publisher: FakePublisher; badges: BadgePublisher; readState: ReadStateService }> {
  const repo = new FakeReadStateRepository();
  const settings = new FakeSettingsRepository();
  const config = DEFAULTS as unknown as NotificationsConfig;
  const publisher = new FakePublisher();
  const badges = new BadgePublisher(repo, settings, publisher as unknown as EventPublisher, config);
  const readState = new ReadStateService(repo, settings, rpc as RpcClient, publisher as unknown as EventPublisher, config, badges);
  await readState.membershipChanged({
    orgId: 'org_1', kind: 'created',
    snapshot: snapshot('grp', 'group', [['tm_1', 'team_member'], ['tm_2', 'team_member'], ['pat_a', 'patient'], ['pat_b', 'patient']]),
  });
  await badges.flush();
  publisher.events.length = 0;
  return { repo, publisher, badges, readState };
}
