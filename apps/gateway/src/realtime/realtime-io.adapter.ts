import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/** Client → server events are small (typing); a larger packet is refused by Socket.IO before it is parsed. */
const MAX_PACKET_BYTES = 16 * 1024;

/**
 * Socket.IO with the browser origins of CORS_ORIGINS (the same list as REST), instead of each gateway
 * decorator reflecting any origin: a page on another site cannot open a socket with a user's token.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly origins: string[] | true,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.origins;
    return super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_PACKET_BYTES,
      // CORS headers only govern the HTTP long-polling transport; a WebSocket upgrade carries no preflight, so
      // its Origin is checked here too. No Origin at all is a non-browser client (apps, servers): allowed.
      cors: { origin: origins, credentials: false },
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        callback(null, origins === true || !origin || origins.includes(origin));
      },
    } as ServerOptions) as Server;
  }
}
