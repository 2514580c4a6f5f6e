import type { DynamicModule, ModuleMetadata, Type } from '@nestjs/common';
import type { Request, Response } from 'express';

/** What a {@link LoginHandler} knows about the authorization request it authenticates a user for. */
export interface LoginContext {
  /** Id of the pending authorization request; forms post it back as `request`. */
  requestId: string;
  /**
   * CSRF token bound to this request and this browser; forms that post to {@link actionUrl} must carry
   * it as `csrf_token`, or the post is refused with 403.
   */
  csrfToken: string;
  /** Where a login form posts (`POST /api/v1/oauth/login`); the module checks CSRF, then calls `submit`. */
  actionUrl: string;
  /** The client asking for authorization, as shown to the user. */
  client: { clientId: string; clientName: string | null; logoUri: string | null };
  /** Requested scope values. */
  scopes: string[];
  /**
   * Where the authorization response will be sent. A page whose form post may end in that redirect must
   * allow it in its CSP `form-action` (browsers enforce it on the redirect after a form post).
   */
  redirectUri: string;
  /** OIDC Core §3.1.2.1 `login_hint`, if the client sent one. */
  loginHint: string | null;
  /**
   * True when the user already has a session but must authenticate again (`prompt=login`, or `max_age`
   * exceeded; OIDC Core §3.1.2.1).
   */
  reauthentication: boolean;
}

/**
 * Result of a login step: either the end-user is authenticated (the module creates the session and
 * continues the authorization), or the handler has written the response itself (a login page, a
 * redirect to an upstream identity provider, a form shown again with an error).
 */
export type LoginOutcome =
  | {
      type: 'authenticated';
      /**
       * The `sub` of the user: the id of a `UsersService` user (`usr_…`). The token endpoint and userinfo
       * read the user's claims from UsersService, so a handler that trusts an external identity maps it
       * to (or provisions) a local user.
       */
      userId: string;
      /** Epoch seconds of the authentication (OIDC `auth_time`); defaults to now. */
      authTime?: number;
    }
  | { type: 'responded' };

/**
 * The login step of `/oauth/authorize`, replaceable by another Nest module (DESIGN.md "Extension
 * points"): the default checks a username and password against {@link UsersService}; a replacement may
 * trust an upstream identity provider, a client certificate, or a header set by a gateway.
 *
 * A handler that finishes outside these two calls (e.g. on its own upstream IdP callback route) resumes
 * the authorization with `AuthorizationFlowService.completeLogin(requestId, outcome, req, res)`.
 */
export interface LoginHandler {
  /**
   * `GET /oauth/login?request=…`: show the login step. Return `authenticated` to log the user in at once
   * (single sign-on, trusted header) or write a response and return `responded`.
   */
  start(ctx: LoginContext, req: Request, res: Response): Promise<LoginOutcome>;
  /**
   * `POST /oauth/login`, after the module has checked the request id and the CSRF token. `body` is the
   * form-encoded body. Return `authenticated`, or write a response (e.g. the form again with an error).
   */
  submit(
    ctx: LoginContext,
    body: Record<string, unknown>,
    req: Request,
    res: Response,
  ): Promise<LoginOutcome>;
}

/**
 * Options of `AuthorizeModule.forRoot()` / `forRootAsync()`. The module reads nothing else (no
 * environment, no application settings); an omitted option takes the default stated here, the same in
 * both methods.
 */
export interface AuthorizeModuleOptions {
  /**
   * Issuer identifier (RFC 8414 §2): the `iss` of authorization responses (RFC 9207) and, when it is
   * https, the reason cookies are `Secure`. Default: `http://localhost:3000`.
   */
  issuer?: string;
  /**
   * Scope values a client may request (RFC 6749 §3.3). Default:
   * `['openid', 'profile', 'email', 'offline_access']`.
   */
  scopesSupported?: string[];
  /** Lifetime of a login session, seconds (OIDC Core §3.1.2.1 `max_age` counts from its login). Default: `28800` (8 h). */
  sessionTtlSeconds?: number;
  /**
   * Requests to `GET|POST /oauth/authorize` per client IP per window, counted in the database (429
   * `rate_limit_exceeded` beyond); 0 = unlimited. Default: `300`.
   */
  rateLimit?: number;
  /** Window of `rateLimit`, seconds. Default: `60`. */
  rateWindowSeconds?: number;
  /** Sign-in attempts (`POST /oauth/login`) per client IP per window; 0 = unlimited. Default: `60`. */
  loginRateLimit?: number;
  /** Window of `loginRateLimit`, seconds. Default: `60`. */
  loginRateWindowSeconds?: number;
  /**
   * Lifetime of a pushed authorization request's `request_uri` (RFC 9126 §2.2 `expires_in`), seconds.
   * Default: `60`.
   */
  parRequestUriTtlSeconds?: number;
  /**
   * RFC 9126 §5 `require_pushed_authorization_requests` for every client: authorization requests that
   * were not pushed are refused. Default: `false` (then only clients that registered the metadata must).
   */
  requirePushedAuthorizationRequests?: boolean;
  /**
   * For clients that registered themselves (no initial access token), show errors found before sign-in on
   * an error page with a plain link to the client instead of redirecting (RFC 9700 §4.11.2 "inform the
   * user"), so the endpoint cannot bounce a browser to an attacker's redirect URI unseen. Default: `false`
   * (the standard error redirects of RFC 6749 §4.1.2.1).
   */
  untrustedErrorPage?: boolean;
  /**
   * Largest size, in bytes, of the client-chosen parts of an authorization request kept while the user
   * signs in (`state`, `nonce`, `redirect_uri`, `resource`, `scope`, `login_hint`); larger is
   * `invalid_request`. Default: `8192`.
   */
  maxRequestBytes?: number;
  /**
   * Authorization requests kept for the login and consent steps per client IP per 10 minutes (their
   * lifetime), counted in the database across instances; beyond, 429 `rate_limit_exceeded`. 0 = unlimited.
   * Default: `60`.
   */
  pendingPerIp?: number;
  /** Failed sign-ins per username within `loginLockoutWindowSeconds` that lock the username until the window ends (generic message, no password check); 0 = never locked. Default: `10`. */
  loginLockoutThreshold?: number;
  /** Window in which failed sign-ins are counted, seconds; a lockout lasts until it ends. Default: `900`. */
  loginLockoutWindowSeconds?: number;
  /** Failed sign-ins per client IP (any username) within the window that lock that IP; 0 = never. Default: `50`. */
  loginIpLockoutThreshold?: number;
  /** Failed sign-ins of a username after which every attempt waits a growing delay. Default: `3`. */
  loginDelayAfter?: number;
  /** First delay, milliseconds, doubled with each further failure; 0 = no delays. Default: `500`. */
  loginDelayBaseMs?: number;
  /** Longest delay, milliseconds. Default: `8000`. */
  loginDelayMaxMs?: number;
  /** Password checks (argon2) running at once on this instance. Default: `4`. */
  passwordCheckConcurrency?: number;
  /** Password checks that may wait for a slot; beyond, 503 `temporarily_unavailable`. Default: `64`. */
  passwordCheckQueue?: number;
}

/** The defaults of {@link AuthorizeModuleOptions}. */
export const AUTHORIZE_DEFAULTS = {
  issuer: 'http://localhost:3000',
  scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
  sessionTtlSeconds: 8 * 3600,
  rateLimit: 300,
  rateWindowSeconds: 60,
  loginRateLimit: 60,
  loginRateWindowSeconds: 60,
  untrustedErrorPage: false,
  maxRequestBytes: 8192,
  pendingPerIp: 60,
  loginLockoutThreshold: 10,
  loginLockoutWindowSeconds: 900,
  loginIpLockoutThreshold: 50,
  loginDelayAfter: 3,
  loginDelayBaseMs: 500,
  loginDelayMaxMs: 8000,
  passwordCheckConcurrency: 4,
  passwordCheckQueue: 64,
  parRequestUriTtlSeconds: 60,
  requirePushedAuthorizationRequests: false,
} as const;

/** AuthorizeModule's effective settings. */
export interface AuthorizeSettings {
  issuer: string;
  scopesSupported: string[];
  sessionTtlSeconds: number;
  rateLimit: number;
  rateWindowSeconds: number;
  loginRateLimit: number;
  loginRateWindowSeconds: number;
  untrustedErrorPage: boolean;
  maxRequestBytes: number;
  pendingPerIp: number;
  loginLockoutThreshold: number;
  loginLockoutWindowSeconds: number;
  loginIpLockoutThreshold: number;
  loginDelayAfter: number;
  loginDelayBaseMs: number;
  loginDelayMaxMs: number;
  passwordCheckConcurrency: number;
  passwordCheckQueue: number;
  parRequestUriTtlSeconds: number;
  requirePushedAuthorizationRequests: boolean;
}

/**
 * How AuthorizeModule is composed, fixed when the application is built (they shape its providers and
 * imports; accepted by both `forRoot` and `forRootAsync`).
 */
export interface AuthorizeModuleExtras {
  /**
   * The class that implements the login step; it is instantiated inside AuthorizeModule with the
   * providers of {@link imports} available. Default: the username/password form backed by `UsersService`.
   */
  loginHandler?: Type<LoginHandler>;
  /**
   * Modules whose exported providers the login handler needs (in `forRootAsync` they also serve the
   * options factory). Default: none.
   */
  imports?: ModuleMetadata['imports'];
  /**
   * The configured `TokenModule` (`TokenModule.forRoot/forRootAsync(...)`), the very object the
   * application imports, whose `AuthorizationCodeService` issues the codes (RFC 6749 §4.1.2). Required:
   * composing without it fails at start-up.
   */
  token?: DynamicModule;
}

/** Applies the defaults and refuses values that cannot work at start-up. */
export function resolveAuthorizeSettings(options: AuthorizeModuleOptions = {}): AuthorizeSettings {
  const d = AUTHORIZE_DEFAULTS;
  const s: AuthorizeSettings = {
    issuer: (options.issuer ?? d.issuer).replace(/\/+$/, ''),
    scopesSupported: [...(options.scopesSupported ?? d.scopesSupported)],
    sessionTtlSeconds: options.sessionTtlSeconds ?? d.sessionTtlSeconds,
    rateLimit: options.rateLimit ?? d.rateLimit,
    rateWindowSeconds: options.rateWindowSeconds ?? d.rateWindowSeconds,
    loginRateLimit: options.loginRateLimit ?? d.loginRateLimit,
    loginRateWindowSeconds: options.loginRateWindowSeconds ?? d.loginRateWindowSeconds,
    untrustedErrorPage: options.untrustedErrorPage ?? d.untrustedErrorPage,
    maxRequestBytes: options.maxRequestBytes ?? d.maxRequestBytes,
    pendingPerIp: options.pendingPerIp ?? d.pendingPerIp,
    loginLockoutThreshold: options.loginLockoutThreshold ?? d.loginLockoutThreshold,
    loginLockoutWindowSeconds: options.loginLockoutWindowSeconds ?? d.loginLockoutWindowSeconds,
    loginIpLockoutThreshold: options.loginIpLockoutThreshold ?? d.loginIpLockoutThreshold,
    loginDelayAfter: options.loginDelayAfter ?? d.loginDelayAfter,
    loginDelayBaseMs: options.loginDelayBaseMs ?? d.loginDelayBaseMs,
    loginDelayMaxMs: options.loginDelayMaxMs ?? d.loginDelayMaxMs,
    passwordCheckConcurrency: options.passwordCheckConcurrency ?? d.passwordCheckConcurrency,
    passwordCheckQueue: options.passwordCheckQueue ?? d.passwordCheckQueue,
    parRequestUriTtlSeconds: options.parRequestUriTtlSeconds ?? d.parRequestUriTtlSeconds,
    requirePushedAuthorizationRequests:
      options.requirePushedAuthorizationRequests ?? d.requirePushedAuthorizationRequests,
  };
  const problems: string[] = [];
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(s.issuer)) {
    problems.push('issuer must be an absolute http(s) URL without query or fragment');
  }
  if (s.scopesSupported.length === 0) problems.push('scopesSupported must not be empty');
  if (!Number.isInteger(s.sessionTtlSeconds) || s.sessionTtlSeconds < 1) {
    problems.push('sessionTtlSeconds must be an integer >= 1');
  }
  if (!Number.isInteger(s.loginLockoutThreshold) || s.loginLockoutThreshold < 0) {
    problems.push('loginLockoutThreshold must be an integer >= 0');
  }
  if (!Number.isInteger(s.loginLockoutWindowSeconds) || s.loginLockoutWindowSeconds < 60) {
    problems.push('loginLockoutWindowSeconds must be an integer >= 60');
  }
  if (!Number.isInteger(s.loginIpLockoutThreshold) || s.loginIpLockoutThreshold < 0) {
    problems.push('loginIpLockoutThreshold must be an integer >= 0');
  }
  if (!Number.isInteger(s.loginDelayAfter) || s.loginDelayAfter < 0) {
    problems.push('loginDelayAfter must be an integer >= 0');
  }
  if (!Number.isInteger(s.loginDelayBaseMs) || s.loginDelayBaseMs < 0) {
    problems.push('loginDelayBaseMs must be an integer >= 0');
  }
  if (!Number.isInteger(s.loginDelayMaxMs) || s.loginDelayMaxMs < 0) {
    problems.push('loginDelayMaxMs must be an integer >= 0');
  }
  if (!Number.isInteger(s.passwordCheckConcurrency) || s.passwordCheckConcurrency < 1) {
    problems.push('passwordCheckConcurrency must be an integer >= 1');
  }
  if (!Number.isInteger(s.passwordCheckQueue) || s.passwordCheckQueue < 0) {
    problems.push('passwordCheckQueue must be an integer >= 0');
  }
  if (!Number.isInteger(s.maxRequestBytes) || s.maxRequestBytes < 1024) {
    problems.push('maxRequestBytes must be an integer >= 1024');
  }
  for (const name of ['rateLimit', 'loginRateLimit', 'pendingPerIp'] as const) {
    if (!Number.isInteger(s[name]) || s[name] < 0) problems.push(`${name} must be an integer >= 0`);
  }
  for (const name of [
    'rateWindowSeconds',
    'loginRateWindowSeconds',
    'parRequestUriTtlSeconds',
  ] as const) {
    if (!Number.isInteger(s[name]) || s[name] < 1) problems.push(`${name} must be an integer >= 1`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid AuthorizeModule options: ${problems.join('; ')}`);
  }
  return s;
}
