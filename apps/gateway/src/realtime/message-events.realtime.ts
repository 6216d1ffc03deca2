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
  }
}
