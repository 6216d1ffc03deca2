import { Injectable } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, ClientEvents, managersRoom, userRoom } from './rooms';

/**
 * Channel lifecycle and membership: sockets join and leave channel rooms as membership changes. Every room
 * is named with the event's organisation (its envelope `orgId`), so a same-id user of another organisation
 * is never joined to, nor told of, this channel.
 */
@Injectable()
export class ChannelEventsRealtime {
  constructor(router: RealtimeRouter) {
    router.on(Events.ChannelCreated, ({ orgId, data: { channel } }, io) => {
      const room = channelRoom(orgId, channel.id);
      for (const m of channel.members) io.in(userRoom(orgId, m.userId)).socketsJoin(room);
      io.to(room).emit(ClientEvents.ChannelCreated, { channelId: channel.id, channel });
    });
    router.on(Events.ChannelUpdated, ({ orgId, data: { channel } }, io) => {
      io.to(channelRoom(orgId, channel.id)).emit(ClientEvents.ChannelUpdated, { channelId: channel.id, channel });
      if (channel.needsStaffing) io.to(managersRoom(orgId)).emit(ClientEvents.ChannelNeedsStaffing, { channelId: channel.id, type: channel.type });
    });
    // Archive state is per user: only that user's sockets hear of it.
    router.on(Events.ChannelArchived, ({ orgId, data: { channelId, userId } }, io) => {
      io.to(userRoom(orgId, userId)).emit(ClientEvents.ChannelUpdated, { channelId, archived: true });
    });
    router.on(Events.ChannelUnarchived, ({ orgId, data: { channelId, userId } }, io) => {
      io.to(userRoom(orgId, userId)).emit(ClientEvents.ChannelUpdated, { channelId, archived: false });
    });
    router.on(Events.ChannelMemberAdded, ({ orgId, data: { channel, userId, userKind } }, io) => {
      const room = channelRoom(orgId, channel.id);
      io.in(userRoom(orgId, userId)).socketsJoin(room);
      io.to(room).emit(ClientEvents.MemberAdded, { channelId: channel.id, userId, kind: userKind, version: channel.version });
    });
    router.on(Events.ChannelMemberRemoved, ({ orgId, data: { channel, userId } }, io) => {
      const room = channelRoom(orgId, channel.id);
      io.to(room).emit(ClientEvents.MemberRemoved, { channelId: channel.id, userId, version: channel.version });
      // From now on the removed user's sockets receive nothing of this channel.
      io.in(userRoom(orgId, userId)).socketsLeave(room);
    });
  }
}
