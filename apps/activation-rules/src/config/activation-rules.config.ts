import { IsActiveKeyId, IsKeyRingKeys, MongoConfig } from '@wellifiy/config';

export class ActivationRulesConfig extends MongoConfig {
  /**
   * Key ring (`keyId:base64-32-bytes[,…]`) that opens the sealed payloads of the channel events this service
   * consumes, and the key that seals new data. The same ring as every other service's (root README).
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;
}
