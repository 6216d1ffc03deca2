import { createHash } from 'node:crypto';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * SHA-256 fingerprints (hex) of every secret committed to this repository for development and tests: the
 * values of .env.example, libs/testing, tools/dev and the broker's default credentials. Fingerprints rather
 * than the values, so this list is no second copy of them. tools/deployment/development-secrets.spec.ts
 * checks that each committed value is listed here.
 */
export const DEVELOPMENT_SECRET_FINGERPRINTS: ReadonlySet<string> = new Set([
  // JWT_SECRET of .env.example (formerly docker-compose's fallback)
  '49c86bd9ae964959d6899341f8e3902afb3a626e4be3278259a71c7240e728d7',
  // TEST_JWT_SECRET (libs/testing)
  'deef88037ebc1a2c5252897b7ac6492b00aee6884647f10816c6832cd69a1d8a',
  // DEV_JWT_SECRET (tools/dev)
  'f53c7d436233d585874bd2d5c98b639a042e4a063d2faea5d441238a1e7f03b3',
  // AMQP passwords: RabbitMQ's guest, and the shared user docker-compose used to create
  '84983c60f7daadc1cb8698621f802c0d9f9a3c3c295c810748fb048115c186ec',
  'e8907a7bfcb08a67a89e39226565579da1b12f441827034a8d22e63ededace76',
  // Encryption keys (fingerprint of the 32 key bytes): .env.example's dev1 = libs/testing's local2, and local1
  'c329a3391fbcbc7d17c53c0007e99a65ce9b517ff21ed9b30a8425be50615941',
  '4c00e6dfbe9eb4c95d4b733b11cccd10553004d4fe52a15a3ae64bdb0266ac8b',
]);

export function fingerprint(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function isDevelopmentSecret(value: string | Buffer): boolean {
  return DEVELOPMENT_SECRET_FINGERPRINTS.has(fingerprint(value));
}

/** Placeholders of k8s/secrets.example.yaml: a copied example never runs in production. */
const PLACEHOLDER = /REPLACE_ME/i;

interface SecretRule {
  /** The secret(s) inside the variable's value: the value itself, the password of a URL, the keys of a ring. */
  extract(value: string): (string | Buffer)[];
  /** Shortest acceptable secret, in characters (bytes for a Buffer). */
  minLength: number;
  /** What the variable holds, for the message. */
  what: string;
}

export const SecretRules = {
  plain: (minLength: number): SecretRule => ({ extract: (v) => [v], minLength, what: 'secret' }),
  /** The password of an amqp:// or redis:// URL (a URL without one, e.g. with client certificates, is not checked). */
  urlPassword: (minLength: number): SecretRule => ({
    extract: (v) => {
      try {
        const password = decodeURIComponent(new URL(v).password);
        return password ? [password] : [];
      } catch {
        return [];
      }
    },
    minLength,
    what: 'password',
  }),
  /** A comma-separated list of amqp:// URLs (AMQP_URLS): the password of each. */
  urlListPasswords: (minLength: number): SecretRule => ({
    extract: (v) => v.split(',').flatMap((url) => SecretRules.urlPassword(minLength).extract(url.trim())),
    minLength,
    what: 'password',
  }),
  /** `keyId:base64[,…]`: every key's bytes. */
  keyRing: (): SecretRule => ({
    extract: (v) => v.split(',').map((entry) => Buffer.from(entry.slice(entry.indexOf(':') + 1), 'base64')),
    minLength: 32,
    what: 'key',
  }),
};

/**
 * Refuses, when NODE_ENV=production, a committed development value, a placeholder, or a secret shorter than
 * the rule's minimum. The message names the variable and never echoes the value. Outside production the
 * value is accepted as is (local systems and tests run with the committed ones).
 */
export function ProductionSecret(rule: SecretRule, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'productionSecret',
      validator: {
        validate: (value: unknown, args) => {
          if ((args?.object as { NODE_ENV?: string }).NODE_ENV !== 'production') return true;
          if (typeof value !== 'string') return true; // presence and shape are other validators' business
          return productionSecretProblem(value, rule) === undefined;
        },
        defaultMessage: (args) => {
          const problem = typeof args?.value === 'string' ? productionSecretProblem(args.value, rule) : undefined;
          return `${args?.property} ${problem ?? 'is not acceptable'} (NODE_ENV=production)`;
        },
      },
    },
    options,
  );
}

function productionSecretProblem(value: string, rule: SecretRule): string | undefined {
  if (PLACEHOLDER.test(value)) return 'still holds a REPLACE_ME placeholder';
  for (const secret of rule.extract(value)) {
    if (isDevelopmentSecret(secret)) return `holds a development ${rule.what} committed to the repository; generate a fresh one (npm run secrets)`;
    if (secret.length < rule.minLength) return `holds a ${rule.what} shorter than ${rule.minLength} ${Buffer.isBuffer(secret) ? 'bytes' : 'characters'}`;
  }
  return undefined;
}
