import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Actor, ErrorCode, hasPermission, Permission, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { gauge } from '@wellifiy/ops';
import { ArchivedMembersStore } from '../auth/archived-members.store';
import { tokenVerifier } from '../auth/verifier-config';
import { GatewayConfig } from '../config/gateway.config';
import { payloadProblem, SocketEventBudget } from './client-event-guard';
import { ConnectionLimiter } from './connection-limiter';
import { channelRoom, managersRoom, userRoom } from './rooms';

export interface SocketData {
  actor: Actor;
  /** Epoch ms at which the socket's token expires: the socket is disconnected then. */
  expiresAt: number;
  expiryTimer?: NodeJS.Timeout;
  budget?: SocketEventBudget;
}

const openSockets = gauge('realtime_sockets', 'Socket.IO connections open on this gateway instance');

/** setTimeout's largest delay; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A handshake refusal: `message` for people, `data.code` / `data.statusCode` for clients (connect_error). */
function refusal(message: string, code: string, statusCode: number): Error {
  return Object.assign(new Error(message), { data: { code, statusCode } });
}

/**
 * Socket.IO endpoint. The token comes in the handshake (`auth.token`); each socket joins its user's room and
 * one room per channel the user belongs to, all named with the organisation (rooms.ts), so a channel event is
 * emitted once to its room. A socket ends when its token expires, when its team member is archived (see
 * access-events.realtime.ts), and is refused beyond the per-user connection cap. Browser origins: CORS_ORIGINS
 * (realtime-io.adapter.ts), never a blanket `origin: true`.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server!: Server;

  constructor(
    private readonly config: GatewayConfig,
    private readonly rpc: RpcClient,
    private readonly archived: ArchivedMembersStore,
    private readonly limiter: ConnectionLimiter,
  ) {}

  afterInit(server: Server): void {
    const verifier = tokenVerifier(this.config);
    server.use((socket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || !token) return next(refusal('unauthorized: auth.token is required', 'UNAUTHORIZED', 401));
      verifier.verifyWithExpiry(token).then(
        (verified) => {
          const data = socket.data as SocketData;
          data.actor = verified.actor;
          data.expiresAt = verified.expiresAt;
          this.admit(socket.id, verified.actor).then(() => next(), (err: unknown) => next(err as Error));
        },
        (err: Error) => next(refusal(`unauthorized: ${err.message}`, 'UNAUTHORIZED', 401)),
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    openSockets.inc();
    const data = socket.data as SocketData;
    const { actor } = data;
    this.expireAt(socket, data);
    data.budget = new SocketEventBudget(this.config.SOCKET_EVENTS_PER_MINUTE);
    socket.use((packet, next) => void this.checkClientEvent(socket, packet).then(() => next(), (err: unknown) => next(err as Error)));
    await socket.join(userRoom(actor.orgId, actor.userId));
    // An archive that reached this instance between the handshake's check and the join above found no socket to
    // disconnect; it wrote the key before disconnecting, so asking once more closes that gap.
    if (actor.kind === 'team_member' && (await this.archived.isArchived(actor.orgId, actor.userId).catch(() => false))) {
      socket.emit('error', { code: ErrorCode.TeamMemberArchived, statusCode: 403, message: 'your team member account was archived by the staff directory' });
      socket.disconnect(true);
      return;
    }
    if (hasPermission(actor, Permission.MessagingManage) && actor.kind === 'team_member') await socket.join(managersRoom(actor.orgId));
    try {
      const { channelIds } = await this.rpc.send(Rpc.ChannelsMemberships, { actor });
      if (socket.connected) await socket.join(channelIds.map((id) => channelRoom(actor.orgId, id)));
      socket.emit('ready', { channelCount: channelIds.length });
    } catch (err) {
      this.logger.warn(`could not load memberships for a socket: ${(err as Error).message}`);
      socket.emit('error', { message: 'could not load your channels; reconnect to retry' });
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: Socket): void {
    openSockets.dec();
    const data = socket.data as Partial<SocketData>;
    if (data.expiryTimer) clearTimeout(data.expiryTimer);
    void this.limiter.release(socket.id);
  }

  /**
   * Archived team members and users over the connection cap are refused at the handshake. When Redis cannot be
   * asked, a team member is refused (an archived person must not get in during an outage), while the cap, like the
   * HTTP rate limiter, lets the socket in uncounted: an outage of a limiter must not become an outage of messaging.
   */
  private async admit(socketId: string, actor: Actor): Promise<void> {
    let archived: boolean;
    try {
      archived = actor.kind === 'team_member' && (await this.archived.isArchived(actor.orgId, actor.userId));
    } catch (err) {
      this.logger.warn(`could not check a socket's team member: ${(err as Error).message}`);
      throw refusal('unavailable: access cannot be checked right now; retry shortly', ErrorCode.ServiceUnavailable, 503);
    }
    if (archived) throw refusal('forbidden: your team member account was archived by the staff directory', ErrorCode.TeamMemberArchived, 403);
    let slot: boolean;
    try {
      slot = await this.limiter.acquire(actor.orgId, actor.userId, socketId);
    } catch (err) {
      this.logger.warn(`connection limiter unavailable: ${(err as Error).message}`);
      slot = true;
    }
    if (!slot) {
      throw refusal(`too many connections: at most ${this.config.SOCKET_MAX_CONNECTIONS_PER_USER} open sockets per user`, 'TOO_MANY_CONNECTIONS', 429);
    }
  }

  /** The socket is disconnected when its token expires (timers are capped, so far expiries take several steps). */
  private expireAt(socket: Socket, data: SocketData): void {
    const left = data.expiresAt - Date.now();
    if (left <= 0) {
      socket.emit('error', { code: 'TOKEN_EXPIRED', message: 'your token expired; reconnect with a fresh one' });
      socket.disconnect(true);
      return;
    }
    data.expiryTimer = setTimeout(() => this.expireAt(socket, data), Math.min(left, MAX_TIMER_MS));
    data.expiryTimer.unref();
  }

  /**
   * Every client → server event: within the socket's budget, with well-formed strings, from someone still
   * allowed in. A refused event is answered with `error { event, code, message }` and not handled.
   */
  private async checkClientEvent(socket: Socket, [event, ...args]: unknown[]): Promise<void> {
    const data = socket.data as SocketData;
    const refuse = (code: string, message: string, extra: Record<string, unknown> = {}): Error => {
      socket.emit('error', { event, code, message, ...extra });
      return new Error(message);
    };
    if (!data.budget?.take()) {
      throw refuse('RATE_LIMITED', `rate limit of ${this.config.SOCKET_EVENTS_PER_MINUTE} events per minute exceeded`, { retryAfterMs: data.budget?.retryAfterMs() });
    }
    const problem = payloadProblem(args);
    if (problem) throw refuse(ErrorCode.ValidationFailed, `invalid ${String(event)} payload: ${problem}`);
    if (data.actor.kind !== 'team_member') return;
    let archived: boolean;
    try {
      archived = await this.archived.isArchived(data.actor.orgId, data.actor.userId);
    } catch {
      throw refuse(ErrorCode.ServiceUnavailable, 'access cannot be checked right now; retry shortly');
    }
    if (archived) {
      const err = refuse(ErrorCode.TeamMemberArchived, 'your team member account was archived by the staff directory', { statusCode: 403 });
      socket.disconnect(true);
      throw err;
    }
  }
}
