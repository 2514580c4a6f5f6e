/** Injection token of the resolved {@link TokenSettings} (TokenModule's options over their defaults). */
export const TOKEN_SETTINGS = Symbol('TOKEN_SETTINGS');

/**
 * JWS algorithms accepted for `private_key_jwt` client assertions (RFC 7523 §3, OIDC Core §9), advertised
 * as `*_endpoint_auth_signing_alg_values_supported` (RFC 8414 §2). Asymmetric only: `none` and HMAC are
 * never accepted for client authentication here. Defined by the module that verifies assertions;
 * DiscoveryModule publishes it.
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
