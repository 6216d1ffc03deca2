import { Injectable } from '@nestjs/common';
import { Actor, ChannelSnapshot, channelTypeVisibleTo, STAFF_ONLY_CHANNEL_TYPES } from '@wellifiy/contracts';
import { requireChannelMember, RpcClient } from '@wellifiy/messaging';
import { MembershipCache, membershipOf } from './membership.cache';
import { ChannelMembership, MembershipRepository } from './membership.repository';

/**
 * Whose key seals what the actor writes in the channel: the channel's patient (care, service, staff-linked),
 * else the actor when a patient (groups, where what a patient wrote is theirs), else none (staff-only content).
 */
export function sealingSubject(channel: ChannelMembership, actor: Actor): string | null {
  return channel.patientId ?? (actor.kind === 'patient' ? actor.userId : null);
}

@Injectable()
export class MembershipService {
  constructor(
    private readonly repo: MembershipRepository,
    private readonly rpc: RpcClient,
    private readonly cache: MembershipCache,
  ) {}

  apply(orgId: string, snapshot: ChannelSnapshot): Promise<void> {
    return this.repo.apply(orgId, snapshot);
  }

  /**
   * Whether the actor may see `userId`'s profile: it is the actor, or they share a channel the actor sees
   * (a patient never counts staff or dm channels, rule 2). The organisation is the actor's: ids of another
   * organisation match nothing.
   */
  async maySeeProfileOf(actor: Actor, userId: string): Promise<boolean> {
    if (actor.userId === userId) return true;
    return this.repo.shareAChannel(actor.orgId, [actor.userId, userId], actor.kind === 'patient' ? [...STAFF_ONLY_CHANNEL_TYPES] : []);
  }

  /**
   * The channel if the actor may read and write in it, else NOT_FOUND: this process's cache of the projection,
   * else the projection, else the channels service (whose answer is applied to the projection).
   */
  requireMember(actor: Actor, channelId: string): Promise<ChannelMembership> {
    return requireChannelMember(this.rpc, actor, channelId, {
      local: async () => {
        let local = this.cache.get(actor.orgId, channelId);
        if (!local) {
          local = (await this.repo.find(actor.orgId, channelId)) ?? undefined;
          if (local) this.cache.put(local);
        }
        return local && this.allowed(local, actor) ? local : null;
      },
      refresh: async (channel) => {
        await this.repo.apply(actor.orgId, channel);
        const fresh = membershipOf(actor.orgId, channel);
        this.cache.put(fresh);
        return this.allowed(fresh, actor) ? fresh : null;
      },
    });
  }

  private allowed(c: ChannelMembership, actor: Actor): boolean {
    if (!channelTypeVisibleTo(actor.kind, c.type)) return false;
    return c.members.some((m) => m.userId === actor.userId);
  }
}
