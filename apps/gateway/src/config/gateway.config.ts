import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { CommonConfig, IsActiveKeyId, IsKeyRingKeys } from '@wellifiy/config';

export class GatewayConfig extends CommonConfig {
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL!: string;

  @IsIn(['HS256', 'RS256'])
  JWT_ALGORITHM: 'HS256' | 'RS256' = 'HS256';

  /** HS256 shared secret (development). */
  @ValidateIf((c: GatewayConfig) => c.JWT_ALGORITHM === 'HS256')
  @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** RS256 public key, PEM (production). */
  @ValidateIf((c: GatewayConfig) => c.JWT_ALGORITHM === 'RS256')
  @IsString() @Matches(/BEGIN PUBLIC KEY/, { message: 'JWT_PUBLIC_KEY must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  @IsOptional() @IsString()
  JWT_ISSUER?: string;

  @IsOptional() @IsString()
  JWT_AUDIENCE?: string;

  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;

  /** Requests per user per minute before 429. */
  @IsInt() @Min(1)
  RATE_LIMIT_PER_MINUTE: number = 600;

  /** Open Socket.IO connections one user may hold at once, counted across gateway replicas (Redis). */
  @IsInt() @Min(1) @Max(1000)
  SOCKET_MAX_CONNECTIONS_PER_USER: number = 20;

  /** Client → server socket events (e.g. typing) one socket may send per minute; more are refused. */
  @IsInt() @Min(1)
  SOCKET_EVENTS_PER_MINUTE: number = 120;

  /** Comma-separated allowed browser origins for REST and Socket.IO. */
  @IsString()
  CORS_ORIGINS: string = '*';

  /** The messages service's HTTP port, where media bytes are uploaded and read with RPC-issued tickets (internal only). */
  @Matches(/^https?:\/\/.+/, { message: 'MESSAGES_INTERNAL_URL must be an http(s):// URL' })
  MESSAGES_INTERNAL_URL!: string;

  /** Largest multipart upload the gateway streams through (413 above; the messages service applies the per-type limits). */
  @IsInt() @Min(1024)
  MEDIA_UPLOAD_MAX_BYTES: number = 100 * 1024 * 1024;

  /**
   * Key ring (`keyId:base64-32-bytes[,…]`): opens sealed content events (message.created…) before they
   * reach sockets. The same ring in every service (root README, Encryption at rest).
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;
}
