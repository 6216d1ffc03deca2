import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { GatewayConfig } from '../config/gateway.config';
import { REDIS } from '../redis/redis.provider';

/** A connection not refreshed for this long is counted no more (its gateway died without saying goodbye). */
export const CONNECTION_LEASE_MS = 90_000;
const REFRESH_EVERY_MS = 30_000;

const connectionsKey = (orgId: string, userId: string): string => `socket-connections:${encodeURIComponent(orgId)}:${encodeURIComponent(userId)}`;

/*
 * One sorted set per user, every gateway replica adding to it: member = socket id, score = when its lease ends.
 * Expired leases are dropped before counting, so a crashed gateway's sockets stop counting after a lease, and
 * check-and-add is one Lua script, so two replicas cannot both take the last slot.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

interface Lease {
  key: string;
  socketId: string;
}

/**
 * Per-user cap on open sockets (SOCKET_MAX_CONNECTIONS_PER_USER), counted across gateway replicas in Redis.
 * Each instance renews the leases of its own sockets in one pipeline every 30 s.
 */
@Injectable()
export class ConnectionLimiter implements OnModuleDestroy {
  private readonly logger = new Logger('ConnectionLimiter');
  private readonly leases = new Map<string, Lease>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: GatewayConfig,
  ) {
    this.timer = setInterval(() => void this.renew(), REFRESH_EVERY_MS);
    this.timer.unref();
  }

  /** false when the user already holds the maximum number of sockets. Throws when Redis cannot be asked. */
  async acquire(orgId: string, userId: string, socketId: string): Promise<boolean> {
    const key = connectionsKey(orgId, userId);
    const now = Date.now();
    const ok = await this.redis.eval(ACQUIRE, 1, key, now, now + CONNECTION_LEASE_MS, this.config.SOCKET_MAX_CONNECTIONS_PER_USER, socketId, CONNECTION_LEASE_MS * 2);
    if (ok !== 1) return false;
    this.leases.set(socketId, { key, socketId });
    return true;
  }

  async release(socketId: string): Promise<void> {
    const lease = this.leases.get(socketId);
    if (!lease) return;
    this.leases.delete(socketId);
    // Should Redis be down now, the lease runs out on its own.
    await this.redis.zrem(lease.key, socketId).catch((err: unknown) => this.logger.warn(`could not release a connection slot: ${(err as Error).message}`));
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (!this.leases.size) return;
    const until = Date.now() + CONNECTION_LEASE_MS;
    const pipeline = this.redis.pipeline();
    for (const { key, socketId } of this.leases.values()) pipeline.zadd(key, 'XX', until, socketId).pexpire(key, CONNECTION_LEASE_MS * 2);
    await pipeline.exec().catch((err: unknown) => this.logger.warn(`could not renew connection leases: ${(err as Error).message}`));
  }
}
