import { IsInt, Matches, Max, Min } from 'class-validator';
import { MongoConfig } from '@wellifiy/config';

export class ChannelsConfig extends MongoConfig {
  /** BullMQ (the archived-team-member fallback job). */
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL!: string;

  /** Timeout of this service's own calls to other services (activation rules). */
  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;
}
