/** Injection token of the resolved `DiscoverySettings` (DiscoveryModule's options over their defaults). */
export const DISCOVERY_SETTINGS = Symbol('DISCOVERY_SETTINGS');

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
