/**
 * The grant types this server implements, the one list that registration (what a client may register,
 * RFC 7591 §2), the token endpoint (what it runs, RFC 6749 §4.1.3, §4.4.2, §6), discovery
 * (`grant_types_supported`, RFC 8414 §2), the API description and the metrics labels use
 * (docs/adr/0022). Implicit and password are not offered (RFC 9700 §2.1.2, §2.4).
 */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** One of {@link GRANT_TYPES}. */
export type GrantType = (typeof GRANT_TYPES)[number];

/** Whether `value` names a grant type this server implements. */
export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}
