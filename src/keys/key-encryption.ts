import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The fixed key used when `KEYS_ENCRYPTION_KEY` is unset. It is derived from a public constant, so it only
 * keeps private keys out of casual view on a developer machine; production must set a real key.
 */
export function developmentEncryptionKey(): Buffer {
  return createHash('sha256').update('authms development signing-key encryption key').digest();
}

function aad(kid: string): Buffer {
  // Binds each ciphertext to its row: a private key copied onto another kid does not decrypt.
  return Buffer.from(`signing_keys:${kid}`, 'utf8');
}

/**
 * Encrypts a private key (serialised JWK) with AES-256-GCM (NIST SP 800-38D): a fresh 96-bit IV per
 * encryption, 128-bit tag, the kid as additional authenticated data. Output: `v1.<iv>.<tag>.<ciphertext>`,
 * each part base64url.
 */
export function encryptPrivateKey(plaintext: string, kid: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(kid));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

/**
 * Reverses {@link encryptPrivateKey}. Throws when the value is malformed, was encrypted under another key,
 * or belongs to another kid (GCM authentication fails).
 */
export function decryptPrivateKey(sealed: string, kid: string, key: Buffer): string {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new Error('unrecognised private key envelope');
  }
  const iv = Buffer.from(parts[1], 'base64url');
  const tag = Buffer.from(parts[2], 'base64url');
  const ct = Buffer.from(parts[3], 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error('unrecognised private key envelope');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(kid));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('the signing-key encryption key must be 32 bytes');
}
