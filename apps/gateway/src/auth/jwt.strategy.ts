import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { claimsToActor } from '@wellifiy/auth';
import { Actor } from '@wellifiy/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { tokenVerifier } from './verifier-config';

/** Bearer tokens: signature, algorithm (exactly the configured one), expiry, issuer and audience, then the claims' shape. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: GatewayConfig) {
    const verifier = tokenVerifier(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key of this token: the shared secret (HS256) or the JWKS key its kid names (RS256), as a KeyObject
      // (passed through to jsonwebtoken; given a string, it would parse it on every request).
      secretOrKeyProvider: (_req: unknown, rawJwtToken: string, done: (err: Error | null, key?: string) => void) => {
        verifier.keyFor(rawJwtToken).then(
          (key) => done(null, key as unknown as string),
          (err: Error) => done(err),
        );
      },
      algorithms: verifier.verifyOptions.algorithms,
      issuer: verifier.config.issuer,
      audience: verifier.config.audience,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): Actor {
    return claimsToActor(payload);
  }
}
