#!/usr/bin/env node
// npm run secrets [-- --force] [-- --stdout] [-- --production --jwks-url URL --issuer ISS --audience AUD]:
// fresh random secrets for `docker compose up`.
//  - .env: NODE_ENV, the JWT secret, the encryption key ring, the VAPID key pair and one RabbitMQ password per user;
//  - .secrets/rabbitmq-definitions.json: the broker's users (password hashes of those passwords) and their
//    least-privilege permissions, from tools/deployment/rabbitmq-definitions.template.json; RabbitMQ loads it at boot.
// An existing .env is kept unless --force: its ENCRYPTION_KEYS open the data already stored, and a new key ring
// would leave it unreadable. --stdout prints the .env it would write and touches nothing (the deployment tests use it).
// --production writes NODE_ENV=production with RS256 tokens from the identity provider's JWKS (the three URLs/names
// are then required); without it the system runs in development mode with HS256 tokens signed with JWT_SECRET.
import { createECDH, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    stdout: { type: 'boolean', default: false },
    production: { type: 'boolean', default: false },
    'jwks-url': { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
  },
});
if (values.production && !(values['jwks-url'] && values.issuer && values.audience)) {
  console.error('[secrets] --production needs --jwks-url, --issuer and --audience (the identity provider that signs the tokens)');
  process.exit(2);
}
const envFile = path.join(root, '.env');
const definitionsFile = path.join(root, '.secrets/rabbitmq-definitions.json');
const template = JSON.parse(readFileSync(path.join(root, 'tools/deployment/rabbitmq-definitions.template.json'), 'utf8'));

if (!values.stdout && existsSync(envFile) && !values.force) {
  console.error(`[secrets] ${path.relative(process.cwd(), envFile) || '.env'} exists and is kept: its ENCRYPTION_KEYS open the data already stored.`);
  console.error('[secrets] To rotate a key, append one to ENCRYPTION_KEYS and make it active (README, Security). To start over: npm run secrets -- --force');
  process.exit(1);
}

// Hex: safe inside a URL's userinfo (AMQP_URL) without escaping.
const password = () => randomBytes(24).toString('hex');
const keyId = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
const vapid = createECDH('prime256v1');
vapid.generateKeys();
const vapidPrivate = vapid.getPrivateKey();

/** The .env variable holding a broker user's password: RABBITMQ_<NAME>_PASSWORD (wellifiy-activation-rules → ACTIVATION_RULES). */
const passwordVariable = (user) => `RABBITMQ_${user.replace(/^wellifiy-/, '').replace(/-/g, '_').toUpperCase()}_PASSWORD`;
const brokerPasswords = Object.fromEntries(template.users.map((u) => [u.name, password()]));

const auth = values.production
  ? { JWT_ALGORITHM: 'RS256', JWT_JWKS_URL: values['jwks-url'], JWT_ISSUER: values.issuer, JWT_AUDIENCE: values.audience }
  : { JWT_ALGORITHM: 'HS256' };
const env = {
  NODE_ENV: values.production ? 'production' : 'development',
  ...auth,
  JWT_SECRET: randomBytes(48).toString('base64url'),
  ENCRYPTION_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`,
  ENCRYPTION_ACTIVE_KEY_ID: keyId,
  VAPID_PUBLIC_KEY: vapid.getPublicKey().toString('base64url'),
  VAPID_PRIVATE_KEY: Buffer.concat([Buffer.alloc(32 - vapidPrivate.length), vapidPrivate]).toString('base64url'),
  ...Object.fromEntries(template.users.map((u) => [passwordVariable(u.name), brokerPasswords[u.name]])),
};

const text = `# Written by \`npm run secrets\` on ${new Date().toISOString()}: fresh random secrets for docker compose.
# Never commit this file (.gitignore) and keep it: ENCRYPTION_KEYS opens the messages already stored.
# Development mode signs HS256 tokens with JWT_SECRET (npm run token); production (npm run secrets -- --production …)
# takes RS256 tokens from the identity provider's JWKS, with issuer and audience checked (README, Security).
${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}
`;

if (values.stdout) {
  process.stdout.write(text);
  process.exit(0);
}

/** RabbitMQ's rabbit_password_hashing_sha256: base64(salt ‖ SHA-256(salt ‖ password)), with a 4-byte random salt. */
function rabbitPasswordHash(plain) {
  const salt = randomBytes(4);
  return Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(plain, 'utf8')])).digest()]).toString('base64');
}

const definitions = {
  ...template,
  users: template.users.map((u) => ({ ...u, password_hash: rabbitPasswordHash(brokerPasswords[u.name]), hashing_algorithm: 'rabbit_password_hashing_sha256' })),
};
delete definitions.$comment;
writeFileSync(envFile, text, { mode: 0o600 });
mkdirSync(path.dirname(definitionsFile), { recursive: true, mode: 0o700 });
// Read by the rabbitmq container's own user: the directory stays private, the file readable.
writeFileSync(definitionsFile, `${JSON.stringify(definitions, null, 2)}\n`, { mode: 0o644 });
console.log(`[secrets] wrote .env and .secrets/rabbitmq-definitions.json (${template.users.length} broker users); now: docker compose up --build`);
