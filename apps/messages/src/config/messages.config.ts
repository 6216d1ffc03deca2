import { IsInt, IsNumber, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { IsActiveKeyId, IsKeyRingKeys, MongoConfig, WithRedis } from '@wellifiy/config';

/** A real day in ms: the only RETENTION_DAY_MS outside tests and development. */
const DAY_MS = 24 * 60 * 60 * 1000;

export class MessagesConfig extends WithRedis(MongoConfig) {
  /** Timeout of this service's own calls to the channels service. */
  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * Key ring for encryption at rest of message bodies and edit history: `keyId:base64-32-bytes[,…]`. Keep every
   * key that still opens stored data. The shape is checked here; key lengths when the ring is built at boot.
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  /** Id of the key in ENCRYPTION_KEYS that encrypts new data. */
  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;

  /** Key prefix of this service's BullMQ queues in Redis (lets several systems share one Redis). */
  @IsString() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'QUEUE_PREFIX may contain letters, digits and . _ - only' })
  QUEUE_PREFIX: string = 'wellifiy';

  /** Largest accepted image upload in bytes (413 above). */
  @IsInt() @Min(1024) @Max(1024 * 1024 * 1024)
  MEDIA_MAX_IMAGE_BYTES: number = 10 * 1024 * 1024;

  /** Largest accepted video upload in bytes (413 above). */
  @IsInt() @Min(1024) @Max(4 * 1024 * 1024 * 1024)
  MEDIA_MAX_VIDEO_BYTES: number = 100 * 1024 * 1024;

  /** Bytes of media (originals and thumbnails) one user may have stored; an upload past it is refused (413). */
  @IsInt() @Min(1024) @Max(1024 * 1024 * 1024 * 1024)
  MEDIA_QUOTA_BYTES_PER_USER: number = 2 * 1024 * 1024 * 1024;

  /** Most pixels (width × height) an image may decode to: decompression bombs are refused before decoding. */
  @IsInt() @Min(1) @Max(268_402_689)
  MEDIA_MAX_IMAGE_PIXELS: number = 50_000_000;

  /** Minutes after upload when media never posted in a message nor made an avatar is deleted (media-cleanup job). */
  @IsNumber() @Min(0.01) @Max(525_600)
  MEDIA_UNATTACHED_MAX_AGE_MINUTES: number = 24 * 60;

  /**
   * Hosts (`host` or `host:port`, comma-separated) link previews may fetch even though they resolve to
   * private, loopback or link-local addresses. Empty in production; tests list their local server.
   */
  @IsString()
  LINK_PREVIEW_ALLOWED_HOSTS: string = '';

  /** Whole-fetch time limit of a link preview, all redirects included. */
  @IsInt() @Min(100) @Max(60_000)
  LINK_PREVIEW_TIMEOUT_MS: number = 3000;

  /** Most HTML bytes read from a page for its preview. */
  @IsInt() @Min(1024) @Max(10 * 1024 * 1024)
  LINK_PREVIEW_MAX_BYTES: number = 512 * 1024;

  /**
   * Length of a retention "day" in ms: 86400000. Tests shorten it to see content purged in seconds; any other
   * value is accepted only when NODE_ENV is test or development, so a deployment cannot purge early by mistake.
   */
  @IsInt() @Min(10) @Max(DAY_MS)
  @ValidateBy({
    name: 'shortDayOnlyInTests',
    validator: {
      validate: (value: unknown, args) => value === DAY_MS || ['test', 'development'].includes((args?.object as MessagesConfig).NODE_ENV),
      defaultMessage: () => `RETENTION_DAY_MS other than ${DAY_MS} is accepted only when NODE_ENV is test or development`,
    },
  })
  RETENTION_DAY_MS: number = DAY_MS;

  /** How often the retention sweep runs (a repeatable BullMQ job). */
  @IsInt() @Min(100) @Max(DAY_MS)
  RETENTION_SWEEP_MS: number = 60 * 60 * 1000;

  /** Messages purged per batch: each batch is one query and one update per message, the held channels re-read before it. */
  @IsInt() @Min(1) @Max(1000)
  RETENTION_BATCH_SIZE: number = 200;

  /** Batches one sweep run may take per organisation; what is left waits for the next run. */
  @IsInt() @Min(1) @Max(10_000)
  RETENTION_MAX_BATCHES: number = 50;
}

