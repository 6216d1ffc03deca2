import 'reflect-metadata';
import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { loadConfig } from '@wellifiy/config';
import { Actor } from '@wellifiy/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { CurrentActor } from './current-actor.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { tokenVerifier } from './verifier-config';

/*
 * Production authentication for real: an identity provider's JWKS served over local HTTP (keys generated here),
 * the gateway's own JwtStrategy and guard in a Nest HTTP app, and the verifier the Socket.IO handshake uses.
 */

const ISSUER = 'https://idp.test.wellifiy.example/';
const AUDIENCE = 'wellifiy-messaging';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function newKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'tm_1', org: 'org_1', kind: 'team_member', perms: ['messaging:manage'], iss: ISSUER, aud: AUDIENCE, ...over,
});

function sign(key: SigningKey, over: Record<string, unknown> = {}, kid: string = key.kid): string {
  const payload = claims(over);
  return jwt.sign(payload, key.privateKey, { algorithm: 'RS256', keyid: kid, ...('exp' in payload ? {} : { expiresIn: 300 }) });
}

@Controller()
class WhoAmIController {
  @Get('whoami')
  whoami(@CurrentActor() actor: Actor): Actor {
    return actor;
  }
}

describe('Development secrets reach deployments silently: production tokens are RS256, verified against a JWKS (jwks-rsa), issuer and audience checked', () => {
  let jwksServer: Server;
  let published: SigningKey[] = [];
  let jwksFetches = 0;
  let app: INestApplication;
  let baseUrl: string;
  let config: GatewayConfig;
  const k1 = newKey('key-2026-01');
  const k2 = newKey('key-2026-02');
  const stranger = newKey('key-not-published');

  beforeAll(async () => {
    jwksServer = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      jwksFetches++;
      const keys = published.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;

    // The production settings, through the gateway's own config validation.
    config = loadConfig(GatewayConfig, {
      NODE_ENV: 'production',
      AMQP_URL: 'amqp://wellifiy-gateway:Zq3v9mX2pL7rT4wK8nB5cJ1h@rabbitmq:5672',
      HTTP_PORT: '3000',
      REDIS_URL: 'redis://redis:6379',
      // A fresh key ring (production refuses the committed development keys).
      ENCRYPTION_KEYS: 'k1:yW5mQk9Tg3pXb2Z4cE1hN0RqS3ZhUXh3ZUY2cjBUdTg=',
      ENCRYPTION_ACTIVE_KEY_ID: 'k1',
      MESSAGES_INTERNAL_URL: 'http://messages:3002',
      JWT_ALGORITHM: 'RS256',
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });

    @Module({
      imports: [PassportModule],
      controllers: [WhoAmIController],
      providers: [{ provide: GatewayConfig, useValue: config }, JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
    })
    class AuthOnlyModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AuthOnlyModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  async function whoami(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${baseUrl}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('accepts a token signed by a published key, and fetches the key set once for many requests', async () => {
    published = [k1];
    const fetchesBefore = jwksFetches;

    for (let i = 0; i < 3; i++) {
      const { status, body } = await whoami(sign(k1));
      expect(status).toBe(200);
      expect(body).toEqual({ userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: ['messaging:manage'] });
    }
    expect(jwksFetches - fetchesBefore).toBe(1);
  });

  it('picks up a rotated key: a token with a new kid makes the gateway refetch the key set', async () => {
    published = [k2]; // the identity provider rotated: k1 is gone, k2 signs from now on
    const fetchesBefore = jwksFetches;

    const { status, body } = await whoami(sign(k2, { sub: 'tm_2' }));

    expect(status).toBe(200);
    expect(body.userId).toBe('tm_2');
    expect(jwksFetches - fetchesBefore).toBe(1);
  });

  it.each([
    ['a wrong issuer', () => sign(k2, { iss: 'https://evil.example/' }), /jwt issuer invalid/],
    ['a wrong audience', () => sign(k2, { aud: 'another-api' }), /jwt audience invalid/],
    ['no audience', () => sign(k2, { aud: undefined }), /jwt audience invalid/],
    ['an unknown kid', () => sign(stranger), /no signing key for kid "key-not-published"/],
    ['a published kid on a token signed by another key', () => sign(stranger, {}, k2.kid), /invalid signature/],
    ['HS256 signed with the public key as secret (algorithm confusion)', () => {
      const pem = k2.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: k2.kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims(), exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url')}`;
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    }, /invalid algorithm/],
    ['an expired token', () => sign(k2, { exp: Math.floor(Date.now() / 1000) - 10 }), /jwt expired/],
  ])('refuses %s with 401 over HTTP and on the Socket.IO handshake', async (_label, makeToken, reason) => {
    published = [k2];
    const token = makeToken();

    const { status, body } = await whoami(token);
    expect(status).toBe(401);
    expect(String(body.message)).toMatch(reason);
    // The realtime handshake verifies with the same verifier.
    await expect(tokenVerifier(config).verify(token)).rejects.toThrow(reason);
  });

  it('the Socket.IO handshake accepts a token of the current key', async () => {
    published = [k2];
    await expect(tokenVerifier(config).verify(sign(k2, { sub: 'tm_3' }))).resolves.toMatchObject({ userId: 'tm_3', orgId: 'org_1' });
  });
});
