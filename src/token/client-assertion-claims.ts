import type { JWTPayload } from 'jose';
import { OAuthError } from '../common/errors/oauth-error.js';

/**
 * Which `aud` values a `private_key_jwt` client assertion may carry (`CLIENT_ASSERTION_AUDIENCE`):
 *
 * - `issuer-or-endpoint` (default): the issuer identifier, the token endpoint URL, or the URL of the
 *   endpoint being called (RFC 7523 §3 item 3 allows the token endpoint URL, OIDC Core §9 recommends it,
 *   and widely used relying parties send it);
 * - `issuer`: the issuer identifier only, as draft-ietf-oauth-rfc7523bis requires against audience
 *   injection.
 *
 * In both modes `aud` must be one string: an array is refused (draft-ietf-oauth-rfc7523bis), because an
 * assertion whose audience lists several servers can be replayed by any of them to the others.
 */
export type ClientAssertionAudience = 'issuer' | 'issuer-or-endpoint';

/** The `CLIENT_ASSERTION_AUDIENCE` values, the default first. */
export const CLIENT_ASSERTION_AUDIENCES: readonly ClientAssertionAudience[] = [
  'issuer-or-endpoint',
  'issuer',
];

/** Default of `CLIENT_ASSERTION_MAX_LIFETIME`: assertions expire within 5 minutes (RFC 7523 §3 item 4). */
export const DEFAULT_CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 300;

/** Clock skew tolerated on `exp`, `nbf` and `iat` of client assertions. */
export const CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;

/** The URLs that identify this server as an assertion's audience, for the configured mode. */
export function acceptedAssertionAudiences(
  mode: ClientAssertionAudience,
  urls: { issuer: string; tokenEndpoint: string; endpoint: string },
): string[] {
  if (mode === 'issuer') return [urls.issuer];
  return [...new Set([urls.issuer, urls.tokenEndpoint, urls.endpoint])];
}

/** The claims of an accepted assertion that the caller needs next (to remember the `jti`). */
export interface CheckedAssertionClaims {
  exp: number;
  jti: string;
}

/**
 * Checks the claims of a client assertion (RFC 7523 §3 items 3, 4, 5 and 7; OIDC Core §9) other than
 * `iss`/`sub` and the signature, which the caller verifies. Throws 401 `invalid_client` with a reason the
 * client developer can act on. Pure, so that it runs before any key is fetched.
 */
export function checkAssertionClaims(
  payload: JWTPayload,
  rules: { audiences: readonly string[]; maxLifetimeSeconds: number; now: number },
): CheckedAssertionClaims {
  const { now, maxLifetimeSeconds } = rules;
  const tolerance = CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS;
  // draft-ietf-oauth-rfc7523bis: a single audience; several audiences are the audience-injection class.
  if (Array.isArray(payload.aud)) {
    throw OAuthError.invalidClient('client_assertion aud must be a single string, not an array');
  }
  // RFC 7523 §3 item 3: the audience identifies this authorization server.
  if (typeof payload.aud !== 'string' || !rules.audiences.includes(payload.aud)) {
    throw OAuthError.invalidClient(
      `client_assertion aud must be ${rules.audiences.length === 1 ? 'the issuer' : 'the issuer or the token endpoint URL'}`,
    );
  }
  // RFC 7523 §3 item 4: exp is required and the assertion must not outlive a short window.
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) {
    throw OAuthError.invalidClient('client_assertion must carry exp');
  }
  if (payload.exp <= now - tolerance) {
    throw OAuthError.invalidClient('client_assertion has expired');
  }
  if (payload.exp > now + maxLifetimeSeconds + tolerance) {
    throw OAuthError.invalidClient(
      `client_assertion must expire within ${maxLifetimeSeconds} seconds (exp is too far ahead)`,
    );
  }
  // RFC 7523 §3 item 5: not before.
  if (typeof payload.nbf === 'number' && payload.nbf > now + tolerance) {
    throw OAuthError.invalidClient('client_assertion is not yet valid (nbf)');
  }
  if (typeof payload.iat === 'number' && payload.iat > now + tolerance) {
    throw OAuthError.invalidClient('client_assertion iat is in the future');
  }
  // RFC 7523 §3 item 7 / OIDC Core §9: jti is required (it is accepted only once).
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) {
    throw OAuthError.invalidClient('client_assertion must carry jti');
  }
  return { exp: payload.exp, jti: payload.jti };
}
