import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { Actor } from '@wellifiy/contracts';
import { AccessClaims, claimsToActor, TokenVerifierConfig } from './claims';

/** How long a JWKS key stays cached; a token naming an unknown `kid` refetches at once (rate-limited). */
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
/** Refetches per minute at most, so tokens with made-up `kid`s cannot make the gateway hammer the identity provider. */
const JWKS_REQUESTS_PER_MINUTE = 10;
const JWKS_TIMEOUT_MS = 5000;

/**
 * Verifies access tokens: signature, algorithm (exactly the configured one — never `none`, never HS256 against a
 * public key), expiry, issuer and audience when configured, then the claims' shape. HS256 checks a shared secret
 * (development, tests); RS256 takes the key named by the token's `kid` from the identity provider's JWKS, through
 * jwks-rsa, which caches keys and refetches the set when a token names a kid it has not seen (key rotation).
 */
export class TokenVerifier {
  private readonly secret?: KeyObject;
  private readonly jwks?: JwksClient;
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(readonly config: TokenVerifierConfig) {
    if (config.algorithm === 'HS256') {
      if (!config.secret) throw new Error('HS256 needs a shared secret');
      // A KeyObject, built once: given a string, jsonwebtoken tries to parse it as a public key on every call.
      this.secret = createSecretKey(Buffer.from(config.secret, 'utf8'));
    } else {
      if (!config.jwksUrl) throw new Error('RS256 needs a JWKS URL');
      this.jwks = new JwksClient({
        jwksUri: config.jwksUrl,
        cache: true,
        cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
        rateLimit: true,
        jwksRequestsPerMinute: JWKS_REQUESTS_PER_MINUTE,
        timeout: JWKS_TIMEOUT_MS,
      });
    }
  }

  /** jsonwebtoken options every check uses (also handed to passport-jwt). */
  get verifyOptions(): jwt.VerifyOptions & { algorithms: jwt.Algorithm[] } {
    return {
      algorithms: [this.config.algorithm],
      ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
      ...(this.config.audience ? { audience: this.config.audience } : {}),
    };
  }

  async verify(token: string): Promise<Actor> {
    return (await this.verifyWithExpiry(token)).actor;
  }

  /** As verify, plus when the token expires (epoch ms): a long-lived connection must end then. */
  async verifyWithExpiry(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    const payload = jwt.verify(token, await this.keyFor(token), this.verifyOptions);
    return { actor: claimsToActor(payload), expiresAt: (payload as { exp: number }).exp * 1000 };
  }

  /**
   * The key that must have signed `token`. The header is read before the signature is checked only to pick the
   * key: a token whose `alg` is not the configured one is refused here, before any JWKS request.
   */
  async keyFor(token: string): Promise<KeyObject> {
    if (this.secret) return this.secret;
    if (!this.jwks) throw new Error('no JWKS client'); // the constructor made one of the two
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded === 'string') throw new jwt.JsonWebTokenError('jwt malformed');
    if (decoded.header.alg !== this.config.algorithm) throw new jwt.JsonWebTokenError('invalid algorithm');
    const kid = decoded.header.kid;
    if (typeof kid !== 'string' || !kid) throw new jwt.JsonWebTokenError('token has no kid (key id)');
    let pem: string;
    try {
      pem = (await this.jwks.getSigningKey(kid)).getPublicKey();
    } catch (err) {
      // Unknown kid after a refetch, the rate limit, or the identity provider unreachable: the token is not accepted.
      throw new jwt.JsonWebTokenError(`no signing key for kid "${kid.slice(0, 64)}": ${(err as Error).name}`);
    }
    // jwks-rsa's cache decides which keys are current (a key dropped from the set expires with it); this map only
    // saves parsing the same PEM on every request.
    let key = this.publicKeys.get(pem);
    if (!key) {
      key = createPublicKey(pem);
      if (this.publicKeys.size > 16) this.publicKeys.clear();
      this.publicKeys.set(pem, key);
    }
    return key;
  }
}

export interface MintOptions {
  userId: string;
  orgId: string;
  kind: AccessClaims['kind'];
  perms?: string[];
  expiresInSeconds?: number;
  secret: string;
}

/** Development and test tokens (HS256); production tokens come from the identity provider. */
export function mintAccessToken(opts: MintOptions): string {
  return jwt.sign(
    { sub: opts.userId, org: opts.orgId, kind: opts.kind, perms: opts.perms ?? [] },
    opts.secret,
    { algorithm: 'HS256', expiresIn: opts.expiresInSeconds ?? 3600 },
  );
}
