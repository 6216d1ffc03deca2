/*
 * Room names. User ids (and, in principle, channel ids) are unique only within an organisation, so every
 * per-user and per-channel room names the organisation too: a socket of org B whose token carries the same
 * `sub` as a member of org A shares no room with them. Ids are URI-encoded so `:` inside one cannot make two
 * different (org, id) pairs spell the same room.
 */
const part = (s: string): string => encodeURIComponent(s);

export const userRoom = (orgId: string, userId: string): string => `user:${part(orgId)}:${part(userId)}`;
export const channelRoom = (orgId: string, channelId: string): string => `channel:${part(orgId)}:${part(channelId)}`;
/** Sockets of users with messaging:manage in an organisation (staffing alerts). */
export const managersRoom = (orgId: string): string => `managers:${part(orgId)}`;

/** Server → client event names (DESIGN §6 Realtime). */
export const ClientEvents = {
  MessageCreated: 'message.created',
  /** A message changed (e.g. its link preview arrived): the whole new view. */
  MessageUpdated: 'message.updated',
  /** A message was deleted: `{ id, channelId, seq, deletedBy }` — show a tombstone. */
  MessageDeleted: 'message.deleted',
  /** Reaction counts of a message changed. */
  ReactionUpdated: 'reaction.updated',
  ChannelCreated: 'channel.created',
  ChannelUpdated: 'channel.updated',
  MemberAdded: 'member.added',
  MemberRemoved: 'member.removed',
  /** To managers: a channel was left without a team member and nobody could be added. */
  ChannelNeedsStaffing: 'channel.needs_staffing',
} as const;
