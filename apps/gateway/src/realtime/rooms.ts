export const userRoom = (userId: string): string => `user:${userId}`;
export const channelRoom = (channelId: string): string => `channel:${channelId}`;

/** Server → client event names (DESIGN §6 Realtime). */
export const ClientEvents = {
  MessageCreated: 'message.created',
  ChannelCreated: 'channel.created',
  ChannelUpdated: 'channel.updated',
  MemberAdded: 'member.added',
  MemberRemoved: 'member.removed',
} as const;
