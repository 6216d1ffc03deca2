import { TokenVerifierConfig } from '@wellifiy/auth';
import { GatewayConfig } from '../config/gateway.config';

export function verifierConfig(c: GatewayConfig): TokenVerifierConfig {
  const key = c.JWT_ALGORITHM === 'HS256' ? c.JWT_SECRET : c.JWT_PUBLIC_KEY;
  if (!key) throw new Error(`no key configured for ${c.JWT_ALGORITHM}`); // config validation makes this unreachable
  return { algorithm: c.JWT_ALGORITHM, key, issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE };
}
