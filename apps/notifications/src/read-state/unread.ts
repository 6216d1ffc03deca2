import { ChannelType, channelTypeVisibleTo, UserKind } from '@wellifiy/contracts';

/** The channel side of the arithmetic (see channel-state.schema.ts). */
export interface ChannelCounter {
  id: string;
  type: ChannelType | null;
  lastSeq: number;
  deleted: { seq: number; senderId: string }[];
  /** Each sender's newest message in the channel and its time: sending reads up to one's own message. */
  sent: ReadonlyMap<string, SentMarker>;
}

export interface SentMarker {
  seq: number;
  at: Date | null;
}

/** The member side (see read-state.schema.ts). */
export interface MemberPosition {
  channelId: string;
  userId: string;
  readSeq: number;
  digestSeq: number;
  archived: boolean;
}

/**
 * A member's read marker: the further of where they marked read (their row) and their own newest message (the
 * channel's counters), with its time. Sending moves the marker without writing the row.
 */
export function readMarker(
  channel: Pick<ChannelCounter, 'sent'>,
  position: Pick<MemberPosition, 'userId' | 'readSeq'> & { readAt?: Date | null },
): { readSeq: number; readAt: Date | null } {
  const sent = channel.sent.get(position.userId);
  if (sent && sent.seq > position.readSeq) return { readSeq: sent.seq, readAt: sent.at };
  return { readSeq: position.readSeq, readAt: position.readAt ?? null };
}

/**
 * Messages after `fromSeq` up to the channel's last seq, minus the deleted ones. The member's own messages
 * are not subtracted here: sending moves the sender's marker to their message (as Mattermost and Slack
 * do), so they are never above it.
 */
export function unreadAfter(channel: Pick<ChannelCounter, 'lastSeq' | 'deleted'>, fromSeq: number): number {
  if (channel.lastSeq <= fromSeq) return 0;
  let count = channel.lastSeq - fromSeq;
  for (const d of channel.deleted) if (d.seq > fromSeq && d.seq <= channel.lastSeq) count--;
  return Math.max(0, count);
}

export interface ChannelUnreadLine {
  channelId: string;
  unread: number;
  muted: boolean;
  archived: boolean;
}

export interface BadgeSummary {
  total: number;
  channels: ChannelUnreadLine[];
}

/** A user's unread per channel and their badge: archived and muted channels keep a count but add nothing to the total. */
export function summarise(
  kind: UserKind,
  positions: MemberPosition[],
  channels: Map<string, ChannelCounter>,
  muted: ReadonlySet<string>,
): BadgeSummary {
  const lines: ChannelUnreadLine[] = [];
  let total = 0;
  for (const p of positions) {
    const channel = channels.get(p.channelId);
    // DESIGN §2 rule 2: a patient never sees staff or dm channels, in any count.
    if (!channel || !channelTypeVisibleTo(kind, channel.type)) continue;
    const line = { channelId: p.channelId, unread: unreadAfter(channel, readMarker(channel, p).readSeq), muted: muted.has(p.channelId), archived: p.archived };
    if (!line.muted && !line.archived) total += line.unread;
    lines.push(line);
  }
  lines.sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0));
  return { total, channels: lines };
}

export interface DigestPlan {
  /** Unread messages not covered by an earlier digest, over the channels that notify. */
  unread: number;
  channelCount: number;
  /** What this digest covers: each channel's marker moves to its last seq once the email is sent. */
  covered: { channelId: string; seq: number }[];
}

/**
 * What a digest email would say now. Counts only messages above both the read marker and the last digest
 * (never the same unread messages twice), in channels that are neither archived nor muted.
 */
export function planDigest(
  kind: UserKind,
  positions: MemberPosition[],
  channels: Map<string, ChannelCounter>,
  muted: ReadonlySet<string>,
): DigestPlan {
  const plan: DigestPlan = { unread: 0, channelCount: 0, covered: [] };
  for (const p of positions) {
    const channel = channels.get(p.channelId);
    if (!channel || p.archived || muted.has(p.channelId) || !channelTypeVisibleTo(kind, channel.type)) continue;
    const fresh = unreadAfter(channel, Math.max(readMarker(channel, p).readSeq, p.digestSeq));
    if (fresh === 0) continue;
    plan.unread += fresh;
    plan.channelCount++;
    plan.covered.push({ channelId: p.channelId, seq: channel.lastSeq });
  }
  return plan;
}
