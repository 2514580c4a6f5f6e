/**
 * How long an instance trusts its in-memory copy of the signing keys. A rotation made by another instance
 * or the CLI is picked up within this period; retired keys stay published at least this much longer than
 * the longest token lifetime to cover instances still signing with the previous key.
 */
export const KEYS_CACHE_TTL_MS = 60_000;

/** At most one early reload per this interval when a token names a kid this instance does not know. */
export const UNKNOWN_KID_RELOAD_INTERVAL_MS = 2_000;

/** Clock skew accepted on `exp` / `nbf` / `iat` (RFC 7519 §4.1.4 "some small leeway"). */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

/** Public JWK members per key type (RFC 7518 §6.2.1 EC, §6.3.1 RSA); everything else is private or noise. */
export const PUBLIC_JWK_MEMBERS: Record<string, readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};

/** `Cache-Control` of the JWK Set and discovery documents: short enough that rotation propagates fast. */
export const PUBLIC_DOCUMENT_CACHE_CONTROL = 'public, max-age=300';

/**
 * The `active_slot` of each algorithm's active key. The column's unique index then admits exactly one active
 * key per algorithm, which is what keeps lazy creation and rotation race-safe across instances. ES256 keeps
 * slot 1, where every key lived before keys were per algorithm.
 */
export const ACTIVE_SLOT_BY_ALG = { ES256: 1, RS256: 2 } as const;

/** Injection token of the resolved key-encryption key ({@link ResolvedEncryptionKey} in encryption-key.ts). */
export const KEY_ENCRYPTION_KEY = Symbol('KEY_ENCRYPTION_KEY');
