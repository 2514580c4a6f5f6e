/**
 * How long an instance trusts its in-memory copy of the signing keys. A key staged by another instance or
 * by `npm run keys:rotate` is in every instance's copy within this period, which is why a staged key is
 * published at least this long (plus the JWK Set's `max-age`) before it signs (see `KEYS_PUBLISH_AHEAD`).
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

/**
 * `max-age` of the JWK Set response (RFC 9111 §5.2.2.1): how long a relying party may answer from its copy
 * without asking again. Part of the longest JWK Set cache lifetime a staged key must outlast.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** `Cache-Control` of the JWK Set and discovery documents: short enough that rotation propagates fast. */
export const PUBLIC_DOCUMENT_CACHE_CONTROL = `public, max-age=${JWKS_MAX_AGE_SECONDS}`;

/**
 * The longest time a JWK Set copy can lag the database: an instance's key cache ({@link KEYS_CACHE_TTL_MS})
 * plus a relying party's HTTP cache of what that instance served ({@link JWKS_MAX_AGE_SECONDS}). A staged
 * key must be published at least this long before it signs; `KEYS_PUBLISH_AHEAD` may not be shorter.
 */
export const LONGEST_JWKS_CACHE_SECONDS = KEYS_CACHE_TTL_MS / 1000 + JWKS_MAX_AGE_SECONDS;

/**
 * The `active_slot` of each algorithm's newest key (the staged key while a rotation is under way, else the
 * signing key). The column's unique index then admits one such key per algorithm, which is what keeps the
 * creation of the first key and concurrent rotations race-safe across instances. ES256 keeps slot 1, where
 * every key lived before keys were per algorithm.
 */
export const ACTIVE_SLOT_BY_ALG = { ES256: 1, RS256: 2 } as const;

/** Injection token of the resolved key-encryption key ({@link ResolvedEncryptionKey} in encryption-key.ts). */
export const KEY_ENCRYPTION_KEY = Symbol('KEY_ENCRYPTION_KEY');

/** Injection token of the resolved `KeysSettings` (keys.options.ts) (KeysModule's options over their defaults). */
export const KEYS_SETTINGS = Symbol('KEYS_SETTINGS');
