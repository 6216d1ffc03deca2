import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { Actor } from '../identity';

/** Services that own a command queue. RPC names are `<service>.<command>`. */
export const SERVICES = ['channels', 'messages', 'notifications', 'activation-rules'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function serviceOfRpc(name: string): ServiceName | undefined {
  return SERVICES.find((s) => name.startsWith(`${s}.`));
}

/** Requests made on behalf of a user carry the verified caller. */
export abstract class ActorRequest {
  @ValidateNested() @Type(() => Actor)
  actor!: Actor;
}

export class PingRequest {}
export interface PingResult {
  service: ServiceName;
  ok: true;
}

/** Shape of each service's part of the RPC type map. */
export type RpcEntry<Req, Res> = { request: Req; result: Res };
