import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.provider';

/** Key of one archived team member; it names the organisation, since user ids are unique only within one. */
export const archivedMemberKey = (orgId: string, userId: string): string =>
  `archived-team-member:${encodeURIComponent(orgId)}:${encodeURIComponent(userId)}`;

/**
 * The team members the staff directory archived, as Redis keys shared by every gateway replica. An archive is
 * final (the directory has no un-archive), so the keys never expire. Written by the gateway's durable
 * `team-member.archived` consumer (no archive is missed while gateways are down) and by each instance's
 * realtime handler just before it disconnects that person's sockets (so a reconnect in between is refused).
 */
@Injectable()
export class ArchivedMembersStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async markArchived(orgId: string, userId: string): Promise<void> {
    await this.redis.set(archivedMemberKey(orgId, userId), '1');
  }

  /** Throws when Redis cannot be asked: callers refuse access then rather than guess. */
  async isArchived(orgId: string, userId: string): Promise<boolean> {
    return (await this.redis.exists(archivedMemberKey(orgId, userId))) === 1;
  }
}
