/** Injection token of the resolved {@link AuthorizeSettings} (AuthorizeModule's options over defaults). */
export const AUTHORIZE_SETTINGS = Symbol('AUTHORIZE_SETTINGS');

/** Injection token of the {@link LoginHandler} that authenticates the end-user at `/oauth/authorize`. */
export const LOGIN_HANDLER = Symbol('LOGIN_HANDLER');

/** Cookie that carries the login session id (hashed in `login_sessions`). */
export const SESSION_COOKIE = 'authms_session';

/**
 * Cookie that ties pending authorization requests to the browser that started them. Its hash is stored
 * with each pending request, and the CSRF token of the login and consent forms is derived from it, so
 * a form posted from another browser (or another site: the cookie is SameSite=Lax) is refused.
 */
export const BINDING_COOKIE = 'authms_binding';

/**
 * Prefix of the cookie names when the issuer is https (RFC 6265bis §4.1.3.2): the browser accepts such a
 * cookie only with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite
 * it. Browsers refuse `__Host-` cookies without `Secure`, so a plain-http issuer (development, tests)
 * uses the bare names; see docs/logout.md.
 */
export const HOST_COOKIE_PREFIX = '__Host-';

/** The name a cookie has on this server: `__Host-` + `base` on an https issuer, else `base`. */
export function cookieName(base: string, issuer: string): string {
  return isSecureIssuer(issuer) ? `${HOST_COOKIE_PREFIX}${base}` : base;
}

/** Whether cookies are `Secure` (and `__Host-` prefixed): exactly when the issuer is https. */
export function isSecureIssuer(issuer: string): boolean {
  return issuer.startsWith('https:');
}

/** Route paths, relative to the `/api/v1` prefix. */
export const AUTHORIZE_PATH = '/oauth/authorize';
export const LOGIN_PATH = '/oauth/login';
export const CONSENT_PATH = '/oauth/consent';
/** RFC 9126 pushed authorization request endpoint (the oauth-service reference O3). */
export const PAR_PATH = '/oauth/pushed-authorization';
export const STYLESHEET_PATH = '/oauth/assets/authms.css';
/** OIDC RP-Initiated Logout 1.0 `end_session_endpoint` (docs/logout.md explains the path). */
export const LOGOUT_PATH = '/oauth/logout';
/** The confirmation form of a logout request that cannot be trusted to come from the RP. */
export const LOGOUT_CONFIRM_PATH = '/oauth/logout/confirm';

/** Lifetime of a pending authorization request, seconds (long enough to type a password). */
export const AUTHORIZATION_REQUEST_TTL_SECONDS = 600;
