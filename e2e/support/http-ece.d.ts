// http_ece ships no types; the tests only decrypt aes128gcm push payloads with it.
declare module 'http_ece' {
  export function decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: import('node:crypto').ECDH; authSecret: string | Buffer }): Buffer;
}
