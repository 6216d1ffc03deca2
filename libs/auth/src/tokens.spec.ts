import 'reflect-metadata';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TokenVerifierConfig } from './claims';
import { mintAccessToken, TokenVerifier } from './tokens';

const SECRET = 'unit-test-secret-0123456789abcdef0123456789';
const HS: TokenVerifierConfig = { algorithm: 'HS256', secret: SECRET };
const verifyAccessToken = (token: string, cfg: TokenVerifierConfig) => new TokenVerifier(cfg).verify(token);

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const nowS = (): number => Math.floor(Date.now() / 1000);

/** A token assembled by hand, so tests can send what a legitimate signer never would. */
function handmade(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input)}`;
}
const hmac = (key: string) => (input: string): string => createHmac('sha256', key).update(input).digest('base64url');

const goodClaims = (): Record<string, unknown> => ({ sub: 'tm_1', org: 'org_1', kind: 'team_member', perms: ['messaging:manage'], exp: nowS() + 600 });

describe('verifyAccessToken', () => {
  it('a valid HS256 token becomes the Actor', async () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'], secret: SECRET });

    await expect(verifyAccessToken(token, HS)).resolves.toEqual({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'] });
  });

  it('a patient token without perms becomes an Actor with no perms', async () => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { sub: 'pat_1', org: 'org_1', kind: 'patient', exp: nowS() + 600 }, hmac(SECRET));

    await expect(verifyAccessToken(token, HS)).resolves.toEqual({ userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [] });
  });

  it('with its expiry: when the token ends, in epoch ms (a socket is disconnected then)', async () => {
    const exp = nowS() + 90;
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp }, hmac(SECRET));

    await expect(new TokenVerifier(HS).verifyWithExpiry(token)).resolves.toEqual({ actor: expect.objectContaining({ userId: 'tm_1' }), expiresAt: exp * 1000 });
  });

  it('an expired token is refused', async () => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp: nowS() - 10 }, hmac(SECRET));

    await expect(verifyAccessToken(token, HS)).rejects.toThrow(/expired/);
  });

  it('a token signed with another secret is refused', async () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: 'another-secret-0123456789abcdef0123456789' });

    await expect(verifyAccessToken(token, HS)).rejects.toThrow(/invalid signature/);
  });

  it('a tampered payload is refused', async () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: SECRET });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64url({ ...goodClaims(), perms: ['messaging:manage', 'settings:manage'] })}.${s}`;

    await expect(verifyAccessToken(forged, HS)).rejects.toThrow(/invalid signature/);
  });

  it('an alg "none" token with an empty signature is refused', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.`;

    await expect(verifyAccessToken(token, HS)).rejects.toThrow(jwt.JsonWebTokenError);
  });

  it('a garbage string is refused', async () => {
    await expect(verifyAccessToken('not-a-token', HS)).rejects.toThrow(jwt.JsonWebTokenError);
  });

  describe('RS256 configured (JWKS; a valid token and key rotation: apps/gateway/src/auth/jwks.int-spec.ts)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Nothing listens there: each refusal below must happen before any key is fetched.
    const RS: TokenVerifierConfig = { algorithm: 'RS256', jwksUrl: 'http://127.0.0.1:9/jwks.json' };

    it('an HS256 token signed with the public key as secret (algorithm confusion) is refused', async () => {
      const token = handmade({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, goodClaims(), hmac(publicPem));

      await expect(verifyAccessToken(token, RS)).rejects.toThrow(/invalid algorithm/);
    });

    it('an HS256 token signed with a shared secret is refused', async () => {
      const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: SECRET });

      await expect(verifyAccessToken(token, RS)).rejects.toThrow(/invalid algorithm/);
    });

    it('an alg "none" token is refused', async () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${b64url(goodClaims())}.`;

      await expect(verifyAccessToken(token, RS)).rejects.toThrow(jwt.JsonWebTokenError);
    });

    it('an RS256 token without a kid is refused', async () => {
      const token = jwt.sign(goodClaims(), privatePem, { algorithm: 'RS256' });

      await expect(verifyAccessToken(token, RS)).rejects.toThrow(/no kid/);
    });
  });

  it('issuer and audience are enforced when configured', async () => {
    const cfg: TokenVerifierConfig = { ...HS, issuer: 'wellifiy-idp', audience: 'messaging' };
    const good = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'wellifiy-idp', aud: 'messaging' }, hmac(SECRET));
    const wrongIss = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'evil', aud: 'messaging' }, hmac(SECRET));
    const noAud = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'wellifiy-idp' }, hmac(SECRET));

    await expect(verifyAccessToken(good, cfg)).resolves.toMatchObject({ userId: 'tm_1' });
    await expect(verifyAccessToken(wrongIss, cfg)).rejects.toThrow(/issuer invalid/);
    await expect(verifyAccessToken(noAud, cfg)).rejects.toThrow(/audience invalid/);
  });

  describe('claims', () => {
    const signed = (claims: Record<string, unknown>): string => handmade({ alg: 'HS256', typ: 'JWT' }, claims, hmac(SECRET));
    const without = (key: string): Record<string, unknown> => {
      const c = goodClaims();
      delete c[key];
      return c;
    };

    it.each([
      ['no sub', without('sub'), /sub/],
      ['a sub with forbidden characters', { ...goodClaims(), sub: 'tm 1/..' }, /sub/],
      ['no org', without('org'), /org/],
      ['an org that is not a string', { ...goodClaims(), org: 42 }, /org/],
      ['a bad kind', { ...goodClaims(), kind: 'admin' }, /kind/],
      ['no kind', without('kind'), /kind/],
      ['no exp', without('exp'), /exp/],
      ['perms that are not strings', { ...goodClaims(), perms: ['messaging:manage', 7] }, /perms/],
      ['perms that are not an array', { ...goodClaims(), perms: 'messaging:manage' }, /perms/],
    ])('a correctly signed token with %s is refused', async (_label, claims, reason) => {
      await expect(verifyAccessToken(signed(claims), HS)).rejects.toThrow(reason);
    });
  });
});

describe('TokenVerifier keys', () => {
  it('builds the HS256 key once: the same KeyObject for every token', async () => {
    const verifier = new TokenVerifier(HS);
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: SECRET });

    const first = await verifier.keyFor(token);
    expect(first.type).toBe('secret');
    expect(await verifier.keyFor(token)).toBe(first);
  });
});
