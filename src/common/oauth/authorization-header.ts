import { OAuthError } from '../errors/oauth-error.js';

/**
 * Parsing of the `Authorization` request header, the one definition that every route reading
 * credentials from it uses (docs/adr/0022): the Bearer scheme (RFC 6750 §2.1) for access tokens at
 * userinfo, the admin and end-user APIs, registration access tokens, initial access tokens and the metrics
 * token; the DPoP scheme (RFC 9449 §7.1); and Basic (RFC 7617 §2) for client authentication.
 *
 * ```
 * credentials = auth-scheme 1*SP token68          ; RFC 7235 §2.1, auth-scheme case-insensitive
 * b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="   ; RFC 6750 §2.1
 * ```
 *
 * RFC 6750's `b64token` and RFC 7235's `token68` are the same characters. Spaces after the credentials
 * are tolerated (HTTP strips them as whitespace around the field value, RFC 9110 §5.5).
 */
const CREDENTIALS = /^ +([A-Za-z0-9\-._~+/]+=*) *$/;

/** RFC 6750 §2.1 `b64token`: what a configured bearer token (metrics, initial access) must be. */
export const B64TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The authentication schemes this server reads. */
export type AuthScheme = 'Bearer' | 'DPoP' | 'Basic';

/**
 * The credentials of `header` for `scheme`:
 * - `undefined` when there is no header or it names another scheme (so that the caller may try another);
 * - `null` when it names `scheme` (in any case) but the credentials do not follow the grammar;
 * - else the credentials (the token, or for Basic the base64 text).
 */
export function schemeCredentials(
  header: string | undefined,
  scheme: AuthScheme,
): string | null | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  const name = space < 0 ? header : header.slice(0, space);
  if (name.toLowerCase() !== scheme.toLowerCase()) return undefined;
  return CREDENTIALS.exec(header.slice(name.length))?.[1] ?? null;
}

/**
 * The access token of `Authorization: Bearer <token>` (RFC 6750 §2.1), or 401 `invalid_token` with the
 * Bearer challenge (RFC 6750 §3.1) when the header is missing, names another scheme or is malformed.
 */
export function requireBearerToken(header: string | undefined): string {
  if (header === undefined) throw OAuthError.invalidToken('An access token is required');
  const token = schemeCredentials(header, 'Bearer');
  if (typeof token !== 'string') {
    throw OAuthError.invalidToken('The Authorization header is not a Bearer token');
  }
  return token;
}
