import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { claimsToActor, verificationKey } from '@wellifiy/auth';
import { Actor } from '@wellifiy/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { verifierConfig } from './verifier-config';

/** Bearer tokens: signature, algorithm (exactly the configured one), expiry, then the claims' shape. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: GatewayConfig) {
    const v = verifierConfig(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject (passed through to jsonwebtoken): given the string, it would try to parse it as a public key
      // on every request — a tenth of the gateway's CPU under load.
      secretOrKey: verificationKey(v) as unknown as string,
      algorithms: [v.algorithm],
      ignoreExpiration: false,
      ...(v.issuer ? { issuer: v.issuer } : {}),
      ...(v.audience ? { audience: v.audience } : {}),
    });
  }

  validate(payload: unknown): Actor {
    return claimsToActor(payload);
  }
}
