/**
 * Client authentication methods (RFC 7591 §2 `token_endpoint_auth_method`, RFC 6749 §2.3, RFC 7523 §2.2,
 * OIDC Core §9): the one list that registration, the client entity, discovery and the API description
 * use (docs/adr/0022).
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const;

/** One of {@link TOKEN_ENDPOINT_AUTH_METHODS}. */
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/**
 * The methods accepted at the introspection endpoint: every method but `none`, because RFC 7662 §2.1
 * requires the caller to be authorised (protection against token scanning).
 */
export const INTROSPECTION_ENDPOINT_AUTH_METHODS = TOKEN_ENDPOINT_AUTH_METHODS.filter(
  (m): m is Exclude<TokenEndpointAuthMethod, 'none'> => m !== 'none',
);

/** Whether `value` is a method this server supports. */
export function isTokenEndpointAuthMethod(value: string): value is TokenEndpointAuthMethod {
  return (TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(value);
}

/** Methods for which the server issues a `client_secret` (RFC 7591 §3.2.1). */
export function usesClientSecret(method: TokenEndpointAuthMethod): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post';
}
