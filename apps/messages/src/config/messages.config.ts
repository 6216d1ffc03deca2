import { IsInt, Matches, Max, Min } from 'class-validator';
import { MongoConfig } from '@wellifiy/config';

export class MessagesConfig extends MongoConfig {
  /** Timeout of this service's own calls to the channels service. */
  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * Key ring for encryption at rest of message bodies and edit history: `keyId:base64-32-bytes[,…]`. Keep every
   * key that still opens stored data. The shape is checked here; key lengths when the ring is built at boot.
   */
  @Matches(/^[A-Za-z0-9_-]{1,32}:[^,:\s]+(,[A-Za-z0-9_-]{1,32}:[^,:\s]+)*$/, { message: 'ENCRYPTION_KEYS must be keyId:base64-32-byte-key[,keyId:base64-32-byte-key…]' })
  ENCRYPTION_KEYS!: string;

  /** Id of the key in ENCRYPTION_KEYS that encrypts new data. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'ENCRYPTION_ACTIVE_KEY_ID must be a key id of ENCRYPTION_KEYS' })
  ENCRYPTION_ACTIVE_KEY_ID!: string;
}
