import 'reflect-metadata';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TokenVerifierConfig } from './claims';
import { mintAccessToken, verificationKey, verifyAccessToken, verifyAccessTokenWithExpiry } from './tokens';

const SECRET = 'unit-test-secret-0123456789abcdef0123456789';
const HS: TokenVerifierConfig = { algorithm: 'HS256', key: SECRET };

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
  it('a valid HS256 token becomes the Actor', () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'], secret: SECRET });

    expect(verifyAccessToken(token, HS)).toEqual({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'] });
  });

  it('a patient token without perms becomes an Actor with no perms', () => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { sub: 'pat_1', org: 'org_1', kind: 'patient', exp: nowS() + 600 }, hmac(SECRET));

    expect(verifyAccessToken(token, HS)).toEqual({ userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [] });
  });

  it('with its expiry: when the token ends, in epoch ms (a socket is disconnected then)', () => {
    const exp = nowS() + 90;
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp }, hmac(SECRET));

    expect(verifyAccessTokenWithExpiry(token, HS)).toEqual({ actor: expect.objectContaining({ userId: 'tm_1' }), expiresAt: exp * 1000 });
  });

  it('an expired token is refused', () => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp: nowS() - 10 }, hmac(SECRET));

    expect(() => verifyAccessToken(token, HS)).toThrow(/expired/);
  });

  it('a token signed with another secret is refused', () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: 'another-secret-0123456789abcdef0123456789' });

    expect(() => verifyAccessToken(token, HS)).toThrow(/invalid signature/);
  });

  it('a tampered payload is refused', () => {
    const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: SECRET });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64url({ ...goodClaims(), perms: ['messaging:manage', 'settings:manage'] })}.${s}`;

    expect(() => verifyAccessToken(forged, HS)).toThrow(/invalid signature/);
  });

  it('an alg "none" token with an empty signature is refused', () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.`;

    expect(() => verifyAccessToken(token, HS)).toThrow(jwt.JsonWebTokenError);
  });

  it('a garbage string is refused', () => {
    expect(() => verifyAccessToken('not-a-token', HS)).toThrow(jwt.JsonWebTokenError);
  });

  describe('RS256 configured', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const RS: TokenVerifierConfig = { algorithm: 'RS256', key: publicPem };

    it('a valid RS256 token becomes the Actor', () => {
      const token = jwt.sign({ sub: 'tm_1', org: 'org_1', kind: 'team_member', perms: [] }, privatePem, { algorithm: 'RS256', expiresIn: 60 });

      expect(verifyAccessToken(token, RS)).toEqual({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: [] });
    });

    it('an HS256 token signed with the public key as secret (algorithm confusion) is refused', () => {
      const token = handmade({ alg: 'HS256', typ: 'JWT' }, goodClaims(), hmac(publicPem));

      expect(() => verifyAccessToken(token, RS)).toThrow(/invalid algorithm/);
    });

    it('an HS256 token signed with a shared secret is refused', () => {
      const token = mintAccessToken({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', secret: SECRET });

      expect(() => verifyAccessToken(token, RS)).toThrow(/invalid algorithm/);
    });

    it('an alg "none" token is refused', () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.`;

      expect(() => verifyAccessToken(token, RS)).toThrow(jwt.JsonWebTokenError);
    });
  });

  it('issuer and audience are enforced when configured', () => {
    const cfg: TokenVerifierConfig = { ...HS, issuer: 'wellifiy-idp', audience: 'messaging' };
    const good = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'wellifiy-idp', aud: 'messaging' }, hmac(SECRET));
    const wrongIss = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'evil', aud: 'messaging' }, hmac(SECRET));
    const noAud = handmade({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iss: 'wellifiy-idp' }, hmac(SECRET));

    expect(verifyAccessToken(good, cfg)).toMatchObject({ userId: 'tm_1' });
    expect(() => verifyAccessToken(wrongIss, cfg)).toThrow(/issuer invalid/);
    expect(() => verifyAccessToken(noAud, cfg)).toThrow(/audience invalid/);
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
    ])('a correctly signed token with %s is refused', (_label, claims, reason) => {
      expect(() => verifyAccessToken(signed(claims), HS)).toThrow(reason);
    });
  });
});

describe('verificationKey', () => {
  it('builds the key once per configuration: a secret key for HS256, a public key for RS256', () => {
    const hs = { algorithm: 'HS256', key: 'a-shared-secret-of-enough-length-0123456789' } as const;
    expect(verificationKey(hs)).toBe(verificationKey({ ...hs }));
    expect(verificationKey(hs).type).toBe('secret');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(verificationKey({ algorithm: 'RS256', key: publicKey }).type).toBe('public');
    expect(verificationKey({ algorithm: 'RS256', key: publicKey })).not.toBe(verificationKey(hs));
  });
});
