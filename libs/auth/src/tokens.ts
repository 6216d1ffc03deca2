import jwt from 'jsonwebtoken';
import { Actor } from '@wellifiy/contracts';
import { AccessClaims, claimsToActor, TokenVerifierConfig } from './claims';

/** Verifies signature, algorithm (only the configured one — never `none`), expiry and claims. */
export function verifyAccessToken(token: string, cfg: TokenVerifierConfig): Actor {
  const payload = jwt.verify(token, cfg.key, {
    algorithms: [cfg.algorithm],
    ...(cfg.issuer ? { issuer: cfg.issuer } : {}),
    ...(cfg.audience ? { audience: cfg.audience } : {}),
  });
  return claimsToActor(payload);
}

export interface MintOptions {
  userId: string;
  orgId: string;
  kind: AccessClaims['kind'];
  perms?: string[];
  expiresInSeconds?: number;
  secret: string;
  algorithm?: 'HS256' | 'RS256';
}

/** Development and test tokens; production tokens come from the identity provider. */
export function mintAccessToken(opts: MintOptions): string {
  return jwt.sign(
    { sub: opts.userId, org: opts.orgId, kind: opts.kind, perms: opts.perms ?? [] },
    opts.secret,
    { algorithm: opts.algorithm ?? 'HS256', expiresIn: opts.expiresInSeconds ?? 3600 },
  );
}
