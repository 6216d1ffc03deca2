import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { Actor, Events } from '@wellifiy/contracts';
import { EventPublisher } from '@wellifiy/messaging';
import { channelRoom } from './rooms';

/** A socket's typing signals per channel are relayed at most this often. */
export const TYPING_MIN_INTERVAL_MS = 1000;
const CHANNEL_ID = /^[A-Za-z0-9_:.-]{1,128}$/;

/**
 * Typing indicators: client → `typing { channelId }`; relayed as `typing { channelId, userId }` to the
 * channel's other members, only when this socket is in that channel's room (i.e. a member). Ephemeral:
 * nothing is stored; it crosses gateway instances as a broker event so members on other instances see it.
 * The rate limit and string checks of every client event run before this (client-event-guard.ts).
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class TypingGateway {
  private readonly logger = new Logger('Typing');

  constructor(private readonly publisher: EventPublisher) {}

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): void {
    const actor = (socket.data as { actor?: Actor }).actor;
    const channelId = (body as { channelId?: unknown } | null)?.channelId;
    if (!actor || typeof channelId !== 'string' || !CHANNEL_ID.test(channelId)) return;
    if (!socket.rooms.has(channelRoom(actor.orgId, channelId))) return; // not a member: silently ignored, ids leak nothing
    const last = (socket.data as { typingAt?: Record<string, number> }).typingAt ?? {};
    const now = Date.now();
    if (now - (last[channelId] ?? 0) < TYPING_MIN_INTERVAL_MS) return;
    (socket.data as { typingAt?: Record<string, number> }).typingAt = { ...last, [channelId]: now };
    this.publisher
      .publish(Events.TypingStarted, { channelId, userId: actor.userId }, { orgId: actor.orgId })
      .catch((err: unknown) => this.logger.warn(`could not relay typing: ${(err as Error).message}`));
  }
}
