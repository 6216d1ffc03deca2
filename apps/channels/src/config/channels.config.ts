import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CHANNEL_MEMBERS_MAX } from '@wellifiy/contracts';
import { IsActiveKeyId, IsKeyRingKeys, MongoConfig, WithRedis } from '@wellifiy/config';

export class ChannelsConfig extends WithRedis(MongoConfig) {
  /** Key prefix of this service's BullMQ queues in Redis (lets several systems share one Redis). */
  @IsString() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'QUEUE_PREFIX may contain letters, digits and . _ - only' })
  QUEUE_PREFIX: string = 'wellifiy';

  /** Timeout of this service's own calls to other services (activation rules). */
  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * Key ring (`keyId:base64-32-bytes[,…]`): seals the directory's names and emails, audit reasons and the
   * channel events that carry them, and opens what it sealed. The same ring in every service (root README).
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;

  /**
   * Most members of one channel, the creator included; at most the contract's bound (what the gateway accepts).
   * Lower on a database that cannot index large member arrays (the embedded FerretDB, see .env.example).
   */
  @IsInt() @Min(2) @Max(CHANNEL_MEMBERS_MAX)
  CHANNEL_MEMBERS_MAX: number = CHANNEL_MEMBERS_MAX;
}
