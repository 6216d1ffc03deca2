import { TokenVerifier, TokenVerifierConfig } from '@wellifiy/auth';
import { GatewayConfig } from '../config/gateway.config';

export function verifierConfig(c: GatewayConfig): TokenVerifierConfig {
  return c.JWT_ALGORITHM === 'HS256'
    ? { algorithm: 'HS256', secret: c.JWT_SECRET, issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE }
    : { algorithm: 'RS256', jwksUrl: c.JWT_JWKS_URL, issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE };
}

const verifiers = new WeakMap<GatewayConfig, TokenVerifier>();

/** One verifier per gateway (HTTP and Socket.IO share it, and so its JWKS cache). */
export function tokenVerifier(c: GatewayConfig): TokenVerifier {
  let verifier = verifiers.get(c);
  if (!verifier) {
    verifier = new TokenVerifier(verifierConfig(c));
    verifiers.set(c, verifier);
  }
  return verifier;
}
