import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsActiveKeyId, IsKeyRingKeys, MongoConfig, WithRedis, ProductionSecret, SecretRules } from '@wellifiy/config';
import { EMAIL_DELAY_MINUTES_MAX, EMAIL_FREQUENCIES, EmailFrequency } from '@wellifiy/contracts';

export class NotificationsConfig extends WithRedis(MongoConfig) {
  /** Prefix of this system's BullMQ keys in Redis, so two systems sharing a Redis never take each other's jobs. */
  @IsString() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'QUEUE_PREFIX may contain letters, digits and . _ - only' })
  QUEUE_PREFIX: string = 'wellifiy';

  /** SMTP server for digest emails (smtp:// or smtps://, credentials in the URL). Unset: digests are not sent. */
  @IsOptional() @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** From header of digest emails. */
  @IsString() @MinLength(3) @MaxLength(200)
  MAIL_FROM: string = 'Wellifiy <no-reply@wellifiy.example>';

  /** Where the link in a digest email points (the portal / app). */
  @Matches(/^https?:\/\/.+/, { message: 'APP_URL must be an http(s):// URL' })
  APP_URL: string = 'http://localhost:3000';

  /** Digest frequency of users who have not chosen one. */
  @IsIn(EMAIL_FREQUENCIES)
  DIGEST_DEFAULT_FREQUENCY: EmailFrequency = 'after_delay';

  /** Minutes after the first unread message, for users on `after_delay` who have not chosen. */
  @IsInt() @Min(1) @Max(EMAIL_DELAY_MINUTES_MAX)
  DIGEST_DEFAULT_DELAY_MINUTES: number = 15;

  /** Hour of day (UTC) when `daily` digests go out. */
  @IsInt() @Min(0) @Max(23)
  DIGEST_DAILY_HOUR_UTC: number = 8;

  /** Length of a digest "minute" in ms: 60000 in production; tests shorten it to see digests in seconds. */
  @IsInt() @Min(50) @Max(60_000)
  DIGEST_MINUTE_MS: number = 60_000;

  /** Delay before a channel's new messages are fanned out to its members' digest schedules (coalesces bursts). */
  @IsInt() @Min(0) @Max(60_000)
  DIGEST_FANOUT_DELAY_MS: number = 1000;

  /** Web Push VAPID public key (base64url). With the private key unset, push is disabled. */
  @IsOptional() @IsString() @MinLength(1)
  VAPID_PUBLIC_KEY?: string;

  /** Web Push VAPID private key (base64url). */
  @IsOptional() @IsString() @MinLength(1)
  @ProductionSecret(SecretRules.plain(43)) // 32 bytes, base64url
  VAPID_PRIVATE_KEY?: string;

  /** VAPID contact (mailto: or https: URL) that push services may use to reach the operator. */
  @Matches(/^(mailto:|https:\/\/).+/, { message: 'VAPID_SUBJECT must be a mailto: or https: URL' })
  VAPID_SUBJECT: string = 'mailto:ops@wellifiy.example';

  /**
   * Comma-separated host[:port] list that push endpoints may use even when not public https (tests run a
   * local push service). Otherwise an endpoint must be https on a host that resolves to public addresses only.
   */
  @IsOptional() @IsString()
  PUSH_ALLOWED_HOSTS?: string;

  /** Delivery attempts of a push before it is dropped (exponential backoff between them). */
  @IsInt() @Min(1) @Max(20)
  PUSH_MAX_ATTEMPTS: number = 5;

  /**
   * Key ring (`keyId:base64-32-bytes[,…]`): opens sealed content events (message.created…) and seals
   * recipients' emails at rest. The same ring in every service (docs/architecture.md, Encryption at rest).
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;

  /** Push devices kept per user; registering one more removes the user's least recently registered device. */
  @IsInt() @Min(1) @Max(100)
  PUSH_MAX_DEVICES_PER_USER: number = 10;
}
