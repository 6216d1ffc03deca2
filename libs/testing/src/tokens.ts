import { mintAccessToken } from '@wellifiy/auth';
import { UserKind } from '@wellifiy/contracts';

export const TEST_JWT_SECRET = 'wellifiy-test-secret-0123456789abcdef0123456789';

export interface TestUser {
  userId: string;
  orgId: string;
  kind: UserKind;
  perms?: string[];
}

export function tokenFor(user: TestUser, opts: { expiresInSeconds?: number; secret?: string } = {}): string {
  return mintAccessToken({
    userId: user.userId,
    orgId: user.orgId,
    kind: user.kind,
    perms: user.perms ?? [],
    secret: opts.secret ?? TEST_JWT_SECRET,
    expiresInSeconds: opts.expiresInSeconds ?? 3600,
  });
}
