import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { CommonConfig, WithRedis, IsActiveKeyId, IsKeyRingKeys, ProductionSecret, SecretRules } from '@wellifiy/config';

export class GatewayConfig extends WithRedis(CommonConfig) {
  /** HS256 (shared secret) for development and tests; production accepts only RS256 with a JWKS URL. */
  @IsIn(['HS256', 'RS256'])
  @ValidateBy({
    name: 'rs256InProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as GatewayConfig).NODE_ENV !== 'production' || value === 'RS256',
      defaultMessage: () => 'JWT_ALGORITHM must be RS256 when NODE_ENV=production (tokens of the identity provider, keys from JWT_JWKS_URL)',
    },
  })
  JWT_ALGORITHM: 'HS256' | 'RS256' = 'HS256';

  /** HS256 shared secret (development and tests). */
  @ValidateIf((c: GatewayConfig) => c.JWT_ALGORITHM === 'HS256')
  @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @ProductionSecret(SecretRules.plain(32))
  JWT_SECRET?: string;

  /** RS256: the identity provider's JWKS endpoint; keys are picked by the token's `kid`, cached and refetched for a new one. */
  @ValidateIf((c: GatewayConfig) => c.JWT_ALGORITHM === 'RS256')
  @Matches(/^https?:\/\/.+/, { message: 'JWT_JWKS_URL must be an http(s):// URL of a JWKS' })
  JWT_JWKS_URL?: string;

  /** Expected `iss` claim; required in production. */
  @ValidateIf((c: GatewayConfig) => c.NODE_ENV === 'production' || c.JWT_ISSUER !== undefined)
  @IsString({ message: 'JWT_ISSUER must be set when NODE_ENV=production (the identity provider\'s issuer)' })
  JWT_ISSUER?: string;

  /** Expected `aud` claim; required in production. */
  @ValidateIf((c: GatewayConfig) => c.NODE_ENV === 'production' || c.JWT_AUDIENCE !== undefined)
  @IsString({ message: 'JWT_AUDIENCE must be set when NODE_ENV=production (this API\'s audience)' })
  JWT_AUDIENCE?: string;

  @IsInt() @Min(100) @Max(60_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * Requests one gateway may have outstanding at one service. Past it, a request is refused at once with 503 and
   * a retry hint (`Retry-After`, `Retry-After-Ms`) instead of queueing towards RPC_TIMEOUT_MS: under overload
   * latency stays bounded and clients back off.
   */
  @IsInt() @Min(1) @Max(100_000)
  RPC_MAX_IN_FLIGHT: number = 256;

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
   * reach sockets. The same ring in every service (docs/architecture.md, Encryption at rest).
   */
  @IsKeyRingKeys()
  ENCRYPTION_KEYS!: string;

  @IsActiveKeyId()
  ENCRYPTION_ACTIVE_KEY_ID!: string;

  /**
   * Development only: serve the demo sign-in (`GET /v1/dev/users`, `POST /v1/dev/sign-in`), which mints a token for any
   * demo user without a password. Off unless set to `true` (start:all and the browser tests set it), and refused with
   * NODE_ENV=production, so a deployment that forgets NODE_ENV still has no password-less sign-in.
   */
  @IsBoolean({ message: 'DEV_SIGN_IN must be true or false' })
  @ValidateBy({
    name: 'devSignInOutsideProduction',
    validator: {
      validate: (value: unknown, args) => value !== true || (args?.object as GatewayConfig).NODE_ENV !== 'production',
      defaultMessage: () => 'DEV_SIGN_IN=true is refused when NODE_ENV=production (it mints tokens without a password)',
    },
  })
  DEV_SIGN_IN: boolean = false;

  /** Development only: the local mail catcher's inbox (start:all runs maildev), shown by GET /v1/dev/users. */
  @IsOptional() @Matches(/^https?:\/\/.+/, { message: 'DEV_MAIL_INBOX_URL must be an http(s):// URL' })
  DEV_MAIL_INBOX_URL?: string;

  /** The web console's static build, served at /console/ when it exists (relative paths from the working directory). */
  @IsString() @MinLength(1)
  CONSOLE_DIR: string = 'dist/apps/console';
}
