/** Injection token of the resolved `DiscoverySettings` (DiscoveryModule's options over their defaults). */
export const DISCOVERY_SETTINGS = Symbol('DISCOVERY_SETTINGS');

/** Client authentication methods at the token and revocation endpoints (RFC 7591 §2, OIDC Core §9). */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const;

/**
 * Client authentication methods at the introspection endpoint: no `none`, because RFC 7662 §2.1 requires
 * the caller to be authorised (protection against token scanning).
 */
export const INTROSPECTION_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
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
