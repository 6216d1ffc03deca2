#!/usr/bin/env node
// npm run secrets [-- --force] [-- --stdout]: fresh random secrets for `docker compose up`.
//  - .env: NODE_ENV, the JWT secret, the encryption key ring, the VAPID key pair and one RabbitMQ password per user;
//  - .secrets/rabbitmq-definitions.json: the broker's users (password hashes of those passwords) and their
//    least-privilege permissions, from tools/deployment/rabbitmq-definitions.template.json; RabbitMQ loads it at boot.
// An existing .env is kept unless --force: its ENCRYPTION_KEYS open the data already stored, and a new key ring
// would leave it unreadable. --stdout prints the .env it would write and touches nothing (the deployment tests use it).
import { createECDH, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { force: { type: 'boolean', default: false }, stdout: { type: 'boolean', default: false } } });
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

const env = {
  NODE_ENV: 'development',
  JWT_SECRET: randomBytes(48).toString('base64url'),
  ENCRYPTION_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`,
  ENCRYPTION_ACTIVE_KEY_ID: keyId,
  VAPID_PUBLIC_KEY: vapid.getPublicKey().toString('base64url'),
  VAPID_PRIVATE_KEY: Buffer.concat([Buffer.alloc(32 - vapidPrivate.length), vapidPrivate]).toString('base64url'),
  ...Object.fromEntries(template.users.map((u) => [passwordVariable(u.name), brokerPasswords[u.name]])),
};

const text = `# Written by \`npm run secrets\` on ${new Date().toISOString()}: fresh random secrets for docker compose.
# Never commit this file (.gitignore) and keep it: ENCRYPTION_KEYS opens the messages already stored.
# NODE_ENV=development keeps HS256 tokens (npm run token with JWT_SECRET); production needs JWT_ALGORITHM=RS256,
# JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE (README, Security).
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
