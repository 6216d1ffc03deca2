export const userRoom = (userId: string): string => `user:${userId}`;
export const channelRoom = (channelId: string): string => `channel:${channelId}`;
/** Sockets of users with messaging:manage in an organisation (staffing alerts). */
export const managersRoom = (orgId: string): string => `managers:${orgId}`;

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
