import { Injectable } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, ClientEvents } from './rooms';

/** Timeline events go once to the channel's room. */
@Injectable()
export class MessageEventsRealtime {
  constructor(router: RealtimeRouter) {
    router.on(Events.MessageCreated, ({ data: { message } }, io) => {
      io.to(channelRoom(message.channelId)).emit(ClientEvents.MessageCreated, message);
    });
    router.on(Events.MessageUpdated, ({ data: { message } }, io) => {
      io.to(channelRoom(message.channelId)).emit(ClientEvents.MessageUpdated, message);
    });
    router.on(Events.MessageDeleted, ({ data }, io) => {
      io.to(channelRoom(data.channelId)).emit(ClientEvents.MessageDeleted, {
        id: data.messageId, channelId: data.channelId, seq: data.seq, deletedBy: data.deletedBy ?? 'author',
      });
    });
    // Counts only; the reacting user's id lets each client set its own `me`.
    router.on(Events.ReactionUpdated, ({ data }, io) => {
      io.to(channelRoom(data.channelId)).emit(ClientEvents.ReactionUpdated, data);
    });
  }
}
