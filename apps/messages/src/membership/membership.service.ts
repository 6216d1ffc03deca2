import { Injectable } from '@nestjs/common';
import { Actor, ChannelSnapshot, channelTypeVisibleTo, DomainError, ErrorCode, Rpc, STAFF_ONLY_CHANNEL_TYPES } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { ChannelMembership, MembershipRepository } from './membership.repository';


@Injectable()
export class MembershipService {
  constructor(
    private readonly repo: MembershipRepository,
    private readonly rpc: RpcClient,
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
   * The channel if the actor may read and write in it, else NOT_FOUND (never FORBIDDEN: ids leak nothing).
   * The local projection answers the common case; when it says no (it may lag the channels service by an
   * event), the channels service is asked once and the projection refreshed.
   */
  async requireMember(actor: Actor, channelId: string): Promise<ChannelMembership> {
    const local = await this.repo.find(actor.orgId, channelId);
    if (local && this.allowed(local, actor)) return local;
    const { channel } = await this.rpc.send(Rpc.ChannelsMembershipCheck, { orgId: actor.orgId, channelId });
    if (channel) {
      await this.repo.apply(actor.orgId, channel);
      const fresh: ChannelMembership = { id: channel.id, orgId: actor.orgId, type: channel.type, members: channel.members, version: channel.version };
      if (this.allowed(fresh, actor)) return fresh;
    }
    throw new DomainError(ErrorCode.NotFound, `channel ${channelId} not found`);
  }

  private allowed(c: ChannelMembership, actor: Actor): boolean {
    if (!channelTypeVisibleTo(actor.kind, c.type)) return false;
    return c.members.some((m) => m.userId === actor.userId);
  }
}
