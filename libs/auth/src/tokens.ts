import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Actor } from '@wellifiy/contracts';
import { AccessClaims, claimsToActor, TokenVerifierConfig } from './claims';

/** Verifies signature, algorithm (only the configured one — never `none`), expiry and claims. */
export function verifyAccessToken(token: string, cfg: TokenVerifierConfig): Actor {
  return verifyAccessTokenWithExpiry(token, cfg).actor;
}

/** As verifyAccessToken, plus when the token expires (epoch ms): a long-lived connection must end then. */
export function verifyAccessTokenWithExpiry(token: string, cfg: TokenVerifierConfig): { actor: Actor; expiresAt: number } {
  const payload = jwt.verify(token, verificationKey(cfg), {
    algorithms: [cfg.algorithm],
    ...(cfg.issuer ? { issuer: cfg.issuer } : {}),
    ...(cfg.audience ? { audience: cfg.audience } : {}),
  });
  const actor = claimsToActor(payload);
  return { actor, expiresAt: (payload as { exp: number }).exp * 1000 };
}

const keys = new Map<string, KeyObject>();

/**
 * The configured key as a KeyObject, built once. Given a string, jsonwebtoken tries to parse it as a public key
 * on every call (and fails, for a shared secret) — the costliest step of verifying a token.
 */
export function verificationKey(cfg: TokenVerifierConfig): KeyObject {
  const id = `${cfg.algorithm}\n${cfg.key}`;
  let key = keys.get(id);
  if (!key) {
    key = cfg.algorithm.startsWith('HS') ? createSecretKey(Buffer.from(cfg.key, 'utf8')) : createPublicKey(cfg.key);
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
  }
  return key;
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
