import { Injectable } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, ClientEvents } from './rooms';

/** Timeline events go once to the channel's room (named with the event's organisation). */
@Injectable()
export class MessageEventsRealtime {
  constructor(router: RealtimeRouter) {
    router.on(Events.MessageCreated, ({ orgId, data: { message } }, io) => {
      io.to(channelRoom(orgId, message.channelId)).emit(ClientEvents.MessageCreated, message);
    });
    router.on(Events.MessageUpdated, ({ orgId, data: { message } }, io) => {
      io.to(channelRoom(orgId, message.channelId)).emit(ClientEvents.MessageUpdated, message);
    });
    router.on(Events.MessageDeleted, ({ orgId, data }, io) => {
      io.to(channelRoom(orgId, data.channelId)).emit(ClientEvents.MessageDeleted, {
        id: data.messageId, channelId: data.channelId, seq: data.seq, deletedBy: data.deletedBy ?? 'author',
      });
    });
    // Counts only; the reacting user's id lets each client set its own `me`.
    router.on(Events.ReactionUpdated, ({ orgId, data }, io) => {
      io.to(channelRoom(orgId, data.channelId)).emit(ClientEvents.ReactionUpdated, data);
    });
  }
}
