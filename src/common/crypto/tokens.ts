import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Issues a credential: `prefix` + 256 random bits, base64url (DESIGN.md "Identifiers and credentials").
 * Prefixes: `sec_` client secret, `reg_` registration access token, `rt_` refresh token.
 */
export function generateToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 of a credential, hex. Only this is stored; the credential itself is shown once. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** SHA-256 of a value, base64url (PKCE S256, RFC 7636 §4.2; `at_hash`, OIDC Core §3.1.3.6). */
export function sha256Base64Url(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * Constant-time string comparison. Both sides are hashed first, so the comparison time depends neither on
 * where the strings differ nor on their lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Constant-time check of a presented credential against a stored SHA-256 hex hash. */
export function matchesHash(presented: string, storedHashHex: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = Buffer.from(storedHashHex, 'hex');
  return b.length === a.length && timingSafeEqual(a, b);
}

/** Current time in whole seconds since the epoch (JWT NumericDate, RFC 7519 §2). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
