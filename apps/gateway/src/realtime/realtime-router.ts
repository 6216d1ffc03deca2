import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import { EventEnvelope, EventName, EventPayloads } from '@wellifiy/contracts';

export type RealtimeHandler<K extends EventName> = (event: EventEnvelope<EventPayloads[K]>, io: Server) => void;

/**
 * Which broker events reach sockets, and how. Each feature registers its handlers (see *.realtime.ts);
 * the fan-out binds this instance's queue to exactly the registered types.
 */
@Injectable()
export class RealtimeRouter {
  private readonly handlers = new Map<string, RealtimeHandler<any>>();

  on<K extends EventName>(type: K, handler: RealtimeHandler<K>): void {
    if (this.handlers.has(type)) throw new Error(`realtime handler for ${type} registered twice`);
    this.handlers.set(type, handler);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }

  handlerFor(type: string): RealtimeHandler<any> | undefined {
    return this.handlers.get(type);
  }
}
