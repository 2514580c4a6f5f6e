/**
 * JWS algorithms accepted for `private_key_jwt` client assertions (RFC 7523 §3, OIDC Core §9), advertised
 * as `*_endpoint_auth_signing_alg_values_supported` (RFC 8414 §2). Asymmetric only: `none` and HMAC are
 * never accepted for client authentication here.
 */
export const CLIENT_ASSERTION_SIGNING_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  // RFC 9864 fully-specified name for EdDSA over Ed25519.
  'Ed25519',
] as const;

/** Claims the server can release (OIDC Discovery §3 `claims_supported`; OIDC Core §2, §5.1). */
export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'updated_at',
  'email',
  'email_verified',
] as const;
