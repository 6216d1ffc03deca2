import { Injectable } from '@nestjs/common';
import { mintAccessToken } from '@wellifiy/auth';
import { DevSignInResult, DevUsersView, DevUserView, DomainError, ErrorCode } from '@wellifiy/contracts';
import { DEMO_ORGANISATION, DEMO_USERS, DemoUser, findDemoUser, realNameOf } from '@wellifiy/demo';
import { GatewayConfig } from '../config/gateway.config';

/** Lifetime of a development token: a working day, so the console is not signed out mid-demo. */
const DEV_TOKEN_TTL_SECONDS = 8 * 3600;

/** The demo users of the seeded organisation, and tokens for them minted with the gateway's own HS256 secret. */
@Injectable()
export class DevSignInService {
  constructor(private readonly config: GatewayConfig) {}

  users(): DevUsersView {
    return {
      organisation: { id: DEMO_ORGANISATION.id, name: DEMO_ORGANISATION.name },
      users: DEMO_USERS.map(toView),
      mailInboxUrl: this.config.DEV_MAIL_INBOX_URL ?? null,
    };
  }

  signIn(userId: string): DevSignInResult {
    const user = findDemoUser(userId);
    if (!user) {
      throw new DomainError(ErrorCode.NotFound, `no demo user "${userId}" in ${DEMO_ORGANISATION.id}; GET /v1/dev/users lists them`);
    }
    // The claims of tools/dev/mint-token.mjs: sub, org, kind, perms (+ exp).
    const token = mintAccessToken({
      userId: user.userId,
      orgId: DEMO_ORGANISATION.id,
      kind: user.kind,
      perms: [...user.permissions],
      secret: this.secret(),
      expiresInSeconds: DEV_TOKEN_TTL_SECONDS,
    });
    return { token, user: toView(user) };
  }

  private secret(): string {
    // DevModule registers this service only with HS256, where the config requires a secret.
    if (!this.config.JWT_SECRET) throw new DomainError(ErrorCode.Internal, 'development sign-in without JWT_SECRET');
    return this.config.JWT_SECRET;
  }
}

function toView(user: DemoUser): DevUserView {
  return { userId: user.userId, kind: user.kind, displayName: user.displayName, realName: realNameOf(user), permissions: [...user.permissions] };
}
