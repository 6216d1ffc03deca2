import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { CommonConfig } from '@wellifiy/config';

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

  /** Comma-separated allowed browser origins for REST and Socket.IO. */
  @IsString()
  CORS_ORIGINS: string = '*';

  /** The messages service's HTTP port, where media bytes are uploaded and read with RPC-issued tickets (internal only). */
  @Matches(/^https?:\/\/.+/, { message: 'MESSAGES_INTERNAL_URL must be an http(s):// URL' })
  MESSAGES_INTERNAL_URL!: string;

  /** Largest multipart upload the gateway streams through (413 above; the messages service applies the per-type limits). */
  @IsInt() @Min(1024)
  MEDIA_UPLOAD_MAX_BYTES: number = 100 * 1024 * 1024;
}
