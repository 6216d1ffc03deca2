import { Injectable } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, ClientEvents, managersRoom, userRoom } from './rooms';

/** Channel lifecycle and membership: sockets join and leave channel rooms as membership changes. */
@Injectable()
export class ChannelEventsRealtime {
  constructor(router: RealtimeRouter) {
    router.on(Events.ChannelCreated, ({ data: { channel } }, io) => {
      for (const m of channel.members) io.in(userRoom(m.userId)).socketsJoin(channelRoom(channel.id));
      io.to(channelRoom(channel.id)).emit(ClientEvents.ChannelCreated, { channelId: channel.id, channel });
    });
    router.on(Events.ChannelUpdated, ({ orgId, data: { channel } }, io) => {
      io.to(channelRoom(channel.id)).emit(ClientEvents.ChannelUpdated, { channelId: channel.id, channel });
      if (channel.needsStaffing) io.to(managersRoom(orgId)).emit(ClientEvents.ChannelNeedsStaffing, { channelId: channel.id, type: channel.type });
    });
    // Archive state is per user: only that user's sockets hear of it.
    router.on(Events.ChannelArchived, ({ data: { channelId, userId } }, io) => {
      io.to(userRoom(userId)).emit(ClientEvents.ChannelUpdated, { channelId, archived: true });
    });
    router.on(Events.ChannelUnarchived, ({ data: { channelId, userId } }, io) => {
      io.to(userRoom(userId)).emit(ClientEvents.ChannelUpdated, { channelId, archived: false });
    });
    router.on(Events.ChannelMemberAdded, ({ data: { channel, userId, userKind } }, io) => {
      io.in(userRoom(userId)).socketsJoin(channelRoom(channel.id));
      io.to(channelRoom(channel.id)).emit(ClientEvents.MemberAdded, { channelId: channel.id, userId, kind: userKind, version: channel.version });
    });
    router.on(Events.ChannelMemberRemoved, ({ data: { channel, userId } }, io) => {
      io.to(channelRoom(channel.id)).emit(ClientEvents.MemberRemoved, { channelId: channel.id, userId, version: channel.version });
      // From now on the removed user's sockets receive nothing of this channel.
      io.in(userRoom(userId)).socketsLeave(channelRoom(channel.id));
    });
  }
}
