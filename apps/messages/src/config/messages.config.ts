import { IsInt, Max, Min } from 'class-validator';
import { MongoConfig } from '@wellifiy/config';

export class MessagesConfig extends MongoConfig {
  /** Timeout of this service's own calls to the channels service. */
  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;
}
