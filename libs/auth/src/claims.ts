import { Actor, USER_KINDS, UserKind } from '@wellifiy/contracts';

/** Access-token claims (DESIGN §5 Identity). */
export interface AccessClaims {
  sub: string;
  org: string;
  kind: UserKind;
  perms: string[];
  exp: number;
  iat?: number;
}

export type JwtAlgorithm = 'HS256' | 'RS256';

export interface TokenVerifierConfig {
  algorithm: JwtAlgorithm;
  /** HS256 shared secret (development and tests). */
  secret?: string;
  /** RS256: the identity provider's JWKS endpoint (production). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Claims beyond the signature: every field present and well-formed, or the token is refused. */
export function claimsToActor(payload: unknown): Actor {
  const c = payload as Partial<AccessClaims>;
  if (typeof c !== 'object' || c === null) throw new Error('token payload is not an object');
  if (typeof c.sub !== 'string' || !ID.test(c.sub)) throw new Error('token has no valid sub');
  if (typeof c.org !== 'string' || !ID.test(c.org)) throw new Error('token has no valid org');
  if (!USER_KINDS.includes(c.kind as UserKind)) throw new Error('token has no valid kind');
  if (typeof c.exp !== 'number') throw new Error('token has no exp');
  const perms = c.perms ?? [];
  if (!Array.isArray(perms) || !perms.every((p) => typeof p === 'string')) throw new Error('token perms must be strings');
  return { userId: c.sub, orgId: c.org, kind: c.kind as UserKind, perms };
}
