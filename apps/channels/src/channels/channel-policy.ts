import { Actor, ChannelType, channelTypeVisibleTo, DomainError, ErrorCode, STAFF_ONLY_CHANNEL_TYPES } from '@wellifiy/contracts';
import { Channel } from './channel.mapper';
import { ChannelMemberDoc } from './channel.schema';

/** Channel types a patient may never see or join (DESIGN §2 rule 2; the rule itself is in contracts). */
export const STAFF_ONLY_TYPES: ReadonlySet<ChannelType> = new Set(STAFF_ONLY_CHANNEL_TYPES);
/** Types that must keep at least one team member while active (rule 4). */
export const TEAM_REQUIRED_TYPES: ReadonlySet<ChannelType> = new Set(['care_team', 'service_team', 'staff', 'group']);
/** Types linked to one patient, whose allocation clinician is the staffing fallback (rule 5). */
export const PATIENT_LINKED_TYPES: ReadonlySet<ChannelType> = new Set(['care_team', 'service_team', 'staff']);

export function visibleTo(c: Channel, actor: Actor): boolean {
  return channelTypeVisibleTo(actor.kind, c.type) && c.orgId === actor.orgId;
}

export function isMember(c: Channel, userId: string): boolean {
  return c.memberIds.includes(userId);
}

export function teamMemberCount(c: Channel): number {
  return c.members.filter((m) => m.kind === 'team_member').length;
}

/** The member if the actor may see the channel; NOT_FOUND otherwise, so channel ids leak nothing (rule 1). */
export function requireVisibleMember(c: Channel | null, actor: Actor, channelId: string): Channel {
  if (!c || !isMember(c, actor.userId) || !visibleTo(c, actor)) throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
  return c;
}

/** The next state of a channel with a new member list: ids mirrored, version bumped. */
export function withMembers(c: Channel, members: ChannelMemberDoc[], now: Date): Channel {
  return { ...c, members, memberIds: members.map((m) => m.userId), archivedBy: c.archivedBy.filter((id) => members.some((m) => m.userId === id)), updatedAt: now, version: c.version + 1 };
}

export function bump(c: Channel, changes: Partial<Channel>, now: Date): Channel {
  return { ...c, ...changes, updatedAt: now, version: c.version + 1 };
}

export interface NewChannelInput {
  orgId: string;
  type: ChannelType;
  patientId: string | null;
  name: string | null;
  members: { userId: string; kind: ChannelMemberDoc['kind'] }[];
  createdBy: string;
  now: Date;
  /** Omitted: the channel's own id (nothing else may claim it). */
  uniqueKey?: string;
}

export function newChannel(input: NewChannelInput, id: string): Channel {
  const members = input.members.map((m) => ({ ...m, joinedAt: input.now, addedBy: input.createdBy }));
  return {
    _id: id,
    orgId: input.orgId,
    type: input.type,
    patientId: input.patientId,
    name: input.name,
    uniqueKey: input.uniqueKey ?? id,
    members,
    memberIds: members.map((m) => m.userId),
    archivedBy: [],
    needsStaffing: false,
    createdBy: input.createdBy,
    createdAt: input.now,
    updatedAt: input.now,
    version: 1,
  };
}
