import type { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/errors/database-unavailable.js';
import { AuthorizationPageError } from './authorization-request.js';
import type { LoginContext } from './authorize.options.js';

/**
 * What the authorization flow knows about the browser's request, read once by the HTTP layer
 * ({@link AuthorizationResponseWriter.browserOf}): the flow services never see Express objects.
 */
export interface BrowserRequest {
  /** Cookies of the request (RFC 6265 §5.4), parsed by cookie-parser; only string values. */
  cookies: Readonly<Record<string, string>>;
  /** The client IP as Express sees it (honours `TRUST_PROXY`), for the per-IP limits. */
  clientIp: string;
}

/**
 * A cookie of AuthorizeModule to set (`value`) or remove (`value: null`). Which cookie, not how: name
 * (`__Host-` on https), `HttpOnly`, `SameSite=Lax`, `Secure` and `Path=/` are decided in one place,
 * {@link AuthorizationResponseWriter.applyCookies}.
 */
export interface CookieChange {
  /** `session`: the login session (`authms_session`); `binding`: the browser binding of pending requests. */
  cookie: 'session' | 'binding';
  value: string | null;
  /** Lifetime in seconds (`Max-Age`); without it, a browser-session cookie. */
  maxAgeSeconds?: number;
}

/** An OAuth error shown to the user (never sent to the client's redirect URI). */
export interface PageError {
  /** RFC 6749 §4.1.2.1 / §5.2 error code, e.g. `invalid_request`. */
  error: string;
  description: string;
  /** HTTP status of the page (or of the JSON `{error, error_description}` for API callers). */
  status: number;
  /** `Retry-After` seconds (RFC 9110 §10.2.3): 429 and 503. */
  retryAfterSeconds?: number;
}

/**
 * The outcome of one step of the authorization code flow (RFC 6749 §4.1), as data. The services of the
 * flow return it; the HTTP layer turns it into a response ({@link AuthorizationResponseWriter}), so
 * there is one place that decides statuses, headers (`no-store`, the page CSP), cookies and the choice
 * between an HTML page and JSON.
 *
 * - `redirect`: to this server's login or consent page, or the authorization response to the client
 *   (RFC 6749 §4.1.2; 302, or 303 after a POST).
 * - `login`: the login step, handed to the {@link LoginHandler} with this context.
 * - `consent`: the consent page, rendered; `redirectTarget` widens its CSP `form-action`.
 * - `page`: another page of this server (the sign-out confirmation and signed-out pages of
 *   RP-Initiated Logout); `json`, when given, is what a caller that accepts only JSON gets instead.
 * - `error` to `client`: RFC 6749 §4.1.2.1, once the client and its redirect URI are known, the error
 *   goes back to the client as a redirect with `error`, `error_description`, `state` and `iss`.
 * - `error` to `user`: when the client or the redirect URI cannot be trusted (unknown client,
 *   unregistered redirect URI, an unusable `request_uri`, a pending request from another browser), or
 *   the refusal is about the user's own request (CSRF, rate limit): an error page, never a redirect.
 *   With `returnLink`, the page offers the error response URI as a plain link (RFC 9700 §4.11.2);
 *   `title` replaces the page's default heading.
 *
 * Every variant may carry cookie changes, applied before the response is written.
 */
export type AuthorizationResult = (
  | { kind: 'redirect'; location: string }
  | { kind: 'login'; requestId: string; context: LoginContext }
  | { kind: 'consent'; page: string; redirectTarget: string }
  | { kind: 'page'; page: string; redirectTarget?: string; json?: Record<string, unknown> }
  | { kind: 'error'; to: 'client'; location: string }
  | {
      kind: 'error';
      to: 'user';
      error: PageError;
      returnLink?: { href: string; host: string };
      title?: string;
    }
) & { cookies?: CookieChange[] };

/** An error page result. */
export function showError(
  error: string,
  description: string,
  status = 400,
  retryAfterSeconds?: number,
): AuthorizationResult {
  const e: PageError = { error, description, status };
  if (retryAfterSeconds !== undefined) e.retryAfterSeconds = retryAfterSeconds;
  return { kind: 'error', to: 'user', error: e };
}

/** A pending request that is unknown, expired, used, or bound to another browser. */
export function pendingRefused(reason: 'unknown' | 'foreign'): AuthorizationResult {
  return reason === 'foreign'
    ? showError(
        'access_denied',
        'This sign-in request was started in another browser. Return to the application and start again.',
        403,
      )
    : showError(
        'invalid_request',
        'This sign-in request has expired or was already completed. Return to the application and start again.',
      );
}

/** A form post whose CSRF token does not match the browser (RFC 6749 §10.12). */
export function csrfRefused(): AuthorizationResult {
  return showError(
    'access_denied',
    'The form could not be verified (CSRF check failed). Reload the page and try again.',
    403,
  );
}

/** The client was deleted, or its redirect URI unregistered, while the user was on the pages. */
export function clientGone(): AuthorizationResult {
  return showError(
    'invalid_client',
    'The client is no longer registered, or its redirect URI has changed.',
  );
}

/**
 * An error that must not be redirected, as a page: an {@link AuthorizationPageError} as it says; a
 * database outage as 503 `temporarily_unavailable` with `Retry-After` (RFC 6749 §4.1.2.1,
 * docs/faults.md), without a stack; anything else as 500 `server_error`, logged.
 */
export function failurePage(e: unknown, logger: Logger): AuthorizationResult {
  if (e instanceof AuthorizationPageError) {
    return showError(e.error, e.description, e.status, e.retryAfterSeconds);
  }
  if (isDatabaseUnavailable(e)) {
    return showError(
      'temporarily_unavailable',
      'The server is temporarily unavailable, retry later.',
      503,
      5,
    );
  }
  logger.error('Authorization request failed', e instanceof Error ? e.stack : String(e));
  return showError('server_error', 'The server encountered an internal error.', 500);
}
