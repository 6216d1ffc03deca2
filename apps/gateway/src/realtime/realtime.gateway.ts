import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Actor, hasPermission, Permission, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { tokenVerifier } from '../auth/verifier-config';
import { GatewayConfig } from '../config/gateway.config';
import { channelRoom, managersRoom, userRoom } from './rooms';

interface SocketData {
  actor: Actor;
}

/**
 * Socket.IO endpoint. The token comes in the handshake (`auth.token`); each socket joins its user's room
 * and one room per channel the user belongs to, so a channel event is emitted once to its room.
 */
@WebSocketGateway({ cors: { origin: true }, transports: ['websocket', 'polling'] })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server!: Server;

  constructor(
    private readonly config: GatewayConfig,
    private readonly rpc: RpcClient,
  ) {}

  afterInit(server: Server): void {
    const verifier = tokenVerifier(this.config);
    server.use((socket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || !token) return next(new Error('unauthorized: auth.token is required'));
      verifier.verify(token).then(
        (actor) => {
          (socket.data as SocketData).actor = actor;
          next();
        },
        (err: Error) => next(new Error(`unauthorized: ${err.message}`)),
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { actor } = socket.data as SocketData;
    await socket.join(userRoom(actor.userId));
    if (hasPermission(actor, Permission.MessagingManage) && actor.kind === 'team_member') await socket.join(managersRoom(actor.orgId));
    try {
      const { channelIds } = await this.rpc.send(Rpc.ChannelsMemberships, { actor });
      if (socket.connected) await socket.join(channelIds.map(channelRoom));
      socket.emit('ready', { channelCount: channelIds.length });
    } catch (err) {
      this.logger.warn(`could not load memberships for a socket: ${(err as Error).message}`);
      socket.emit('error', { message: 'could not load your channels; reconnect to retry' });
      socket.disconnect(true);
    }
  }
}
