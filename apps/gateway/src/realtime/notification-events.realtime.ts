import { Injectable, Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { Actor, Events } from '@wellifiy/contracts';
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
 * to the team members only), typing to the channel except the typist. `user:<id>` rooms are not scoped by
 * organisation, so per-user emits keep only sockets of the event's organisation.
 */
@Injectable()
export class NotificationEventsRealtime {
  private readonly logger = new Logger('NotificationEventsRealtime');

  constructor(router: RealtimeRouter) {
    router.on(Events.BadgeUpdated, ({ orgId, data: { badges } }, io) => {
      for (const b of badges) {
        this.toUser(io, orgId, b.userId, NotificationClientEvents.BadgeUpdated, { total: b.total, channelId: b.channelId, unread: b.unread });
      }
    });
    router.on(Events.ReceiptUpdated, ({ orgId, data }, io) => {
      const payload = { channelId: data.channelId, userId: data.userId, kind: data.userKind, readSeq: data.readSeq, readAt: data.readAt };
      if (!data.visibleTo) io.to(channelRoom(data.channelId)).emit(NotificationClientEvents.ReceiptUpdated, payload);
      else for (const userId of data.visibleTo) this.toUser(io, orgId, userId, NotificationClientEvents.ReceiptUpdated, payload);
    });
    router.on(Events.TypingStarted, ({ data: { channelId, userId } }, io) => {
      io.to(channelRoom(channelId)).except(userRoom(userId)).emit(NotificationClientEvents.Typing, { channelId, userId });
    });
  }

  private toUser(io: Server, orgId: string, userId: string, event: string, payload: unknown): void {
    io.in(userRoom(userId))
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) if ((s.data as { actor?: Actor }).actor?.orgId === orgId) s.emit(event, payload);
      })
      .catch((err: unknown) => this.logger.warn(`could not emit ${event}: ${(err as Error).message}`));
  }
}
