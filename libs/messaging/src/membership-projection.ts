import { Actor, ChannelSnapshot, DomainError, ErrorCode, Rpc } from '@wellifiy/contracts';
import { RpcClient } from './rpc-client';

/** A service's local projection of channel membership, as seen by one actor for one channel. */
export interface MembershipProjection<T> {
  /** What the actor may act on, from the projection alone; null when the projection says no. */
  local(): Promise<T | null>;
  /** Stores the channels service's snapshot in the projection; what the actor may act on then, or null. */
  refresh(snapshot: ChannelSnapshot): Promise<T | null>;
}

/**
 * The channel (as the projection shows it) if the actor may act in it, else NOT_FOUND — never FORBIDDEN, ids
 * leak nothing. The local projection answers the common case; when it says no (it may lag the channels
 * service by an event), the channels service is asked once (channels.membership-check) and the projection
 * refreshed with its answer.
 */
export async function requireChannelMember<T>(rpc: RpcClient, actor: Actor, channelId: string, projection: MembershipProjection<T>): Promise<T> {
  const local = await projection.local();
  if (local) return local;
  const { channel } = await rpc.send(Rpc.ChannelsMembershipCheck, { orgId: actor.orgId, channelId });
  const fresh = channel ? await projection.refresh(channel) : null;
  if (fresh) return fresh;
  throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
}
