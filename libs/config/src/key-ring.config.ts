import { Matches } from 'class-validator';
import { ProductionSecret, SecretRules } from './development-secrets';

/*
 * The key ring variables every service declares in its config class (ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID):
 * the same shape check everywhere; key lengths are checked when the ring is built at boot (KeyRing.parse).
 */

/** `keyId:base64-32-bytes[,keyId:base64-32-bytes…]`; in production no key may be a committed development key. */
export function IsKeyRingKeys(): PropertyDecorator {
  const shape = Matches(/^[A-Za-z0-9_-]{1,32}:[^,:\s]+(,[A-Za-z0-9_-]{1,32}:[^,:\s]+)*$/, {
    message: 'ENCRYPTION_KEYS must be keyId:base64-32-byte-key[,keyId:base64-32-byte-key…]',
  });
  const production = ProductionSecret(SecretRules.keyRing());
  return (target, key) => {
    shape(target, key);
    production(target, key);
  };
}

/** The id of the ENCRYPTION_KEYS entry that seals new data. */
export function IsActiveKeyId(): PropertyDecorator {
  return Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'ENCRYPTION_ACTIVE_KEY_ID must be a key id of ENCRYPTION_KEYS' });
}
