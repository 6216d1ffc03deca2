import { ChannelSnapshot, ChannelView } from '@wellifiy/contracts';
import { ChannelDoc } from './channel.schema';

/** A channel as the service sees it: its name in the clear (the repository seals it at rest). */
export type Channel = Omit<ChannelDoc, 'outbox' | 'outboxAt' | 'outboxPending' | 'name'> & { name: string | null };

/** The channel of a stored document, given its opened name. */
export function toChannel(doc: ChannelDoc, name: string | null): Channel {
  const { outbox: _outbox, outboxAt: _outboxAt, outboxPending: _outboxPending, name: _sealed, ...channel } = doc;
  return { ...channel, name };
}

export function toSnapshot(c: Channel): ChannelSnapshot {
  return {
    id: c._id,
    type: c.type,
    patientId: c.patientId,
    members: c.members.map((m) => ({ userId: m.userId, kind: m.kind })),
    needsStaffing: c.needsStaffing,
    version: c.version,
  };
}

/** The channel as one viewer sees it (archive state is per user). */
export function toView(c: Channel, viewerId: string): ChannelView {
  return {
    id: c._id,
    orgId: c.orgId,
    type: c.type,
    patientId: c.patientId,
    name: c.name,
    needsStaffing: c.needsStaffing,
    members: c.members.map((m) => ({ userId: m.userId, kind: m.kind })),
    archived: c.archivedBy.includes(viewerId),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
