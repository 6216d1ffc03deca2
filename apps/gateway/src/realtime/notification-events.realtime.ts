import { Injectable } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, userRoom } from './rooms';

/** Client event names of this feature (docs/realtime.md). */
export const NotificationClientEvents = {
  BadgeUpdated: 'badge.updated',
  ReceiptUpdated: 'receipt.updated',
  Typing: 'typing',
} as const;

/**
 * Badges go to each user's own sockets, receipts to the channel (or, for a patient's marker in a group,
 * to the team members only), typing to the channel except the typist. Rooms name the organisation, so a
 * plain room emit reaches only sockets of the event's organisation.
 */
@Injectable()
export class NotificationEventsRealtime {
  constructor(router: RealtimeRouter) {
    router.on(Events.BadgeUpdated, ({ orgId, data: { badges } }, io) => {
      for (const b of badges) {
        io.to(userRoom(orgId, b.userId)).emit(NotificationClientEvents.BadgeUpdated, { total: b.total, channelId: b.channelId, unread: b.unread });
      }
    });
    router.on(Events.ReceiptUpdated, ({ orgId, data }, io) => {
      const payload = { channelId: data.channelId, userId: data.userId, kind: data.userKind, readSeq: data.readSeq, readAt: data.readAt };
      if (!data.visibleTo) io.to(channelRoom(orgId, data.channelId)).emit(NotificationClientEvents.ReceiptUpdated, payload);
      else if (data.visibleTo.length) io.to(data.visibleTo.map((userId) => userRoom(orgId, userId))).emit(NotificationClientEvents.ReceiptUpdated, payload);
    });
    router.on(Events.TypingStarted, ({ orgId, data: { channelId, userId } }, io) => {
      io.to(channelRoom(orgId, channelId)).except(userRoom(orgId, userId)).emit(NotificationClientEvents.Typing, { channelId, userId });
    });
  }
}
