import { isRoutePrefix, normalizeRoutePrefix } from '../common/http/route-prefix.js';
import { parseResourceAllowList } from '../common/validation/resource.js';
import type { SigningAlg } from '../keys/index.js';

/**
 * Options of `TokenModule.forRoot()` / `forRootAsync()`. The module reads nothing else (no environment,
 * no application settings); an omitted option takes the default stated here, the same in both methods.
 */
export interface TokenModuleOptions {
  /**
   * Issuer identifier (RFC 8414 §2), an absolute URL without a trailing slash: the `iss` of every token
   * and an accepted audience of client assertions (RFC 7523 §3). Default: `http://localhost:3000`.
   */
  issuer?: string;
  /**
   * The host's global route prefix, under which the token endpoints answer (e.g. `/api/v1`); endpoint
   * URLs (the audience of client assertions, OIDC Core §9) are built with it. Default: `''`.
   */
  routePrefix?: string;
  /** Access token lifetime, seconds (RFC 9068 `exp`). Default: `3600`. */
  accessTtlSeconds?: number;
  /** Refresh token lifetime, seconds (RFC 6749 §6). Default: `2592000` (30 days). */
  refreshTtlSeconds?: number;
  /** ID token lifetime, seconds (OIDC Core §2). Default: `3600`. */
  idTokenTtlSeconds?: number;
  /**
   * JWS algorithm of ID tokens for clients that registered none (OIDC Registration §2). Default: `RS256`
   * (OIDC Discovery §3 requires it among the advertised ones).
   */
  idTokenAlg?: Extract<SigningAlg, 'ES256' | 'RS256'>;
  /** Authorization code lifetime, seconds (RFC 6749 §4.1.2: short). Default: `60`. */
  authCodeTtlSeconds?: number;
  /**
   * Requests to `/oauth/token` and `/oauth/refresh` per client (the client_id it claims) and IP per
   * window, counted in the database (429 `rate_limit_exceeded` beyond); 0 = unlimited. Generous by
   * default, so a busy client or a benchmark from one address is not held back: `20000`.
   */
  rateLimit?: number;
  /** Window of `rateLimit`, seconds. Default: `60`. */
  rateWindowSeconds?: number;
  /**
   * Requests to `/oauth/introspect` per client (the client_id it claims) and IP per window, counted in the
   * database (429 `rate_limit_exceeded` beyond); 0 = unlimited (RFC 7662 §4: bound what one caller can
   * probe). A resource server introspects on every API call it serves, so the default is generous: `6000`.
   */
  introspectRateLimit?: number;
  /** Window of `introspectRateLimit`, seconds. Default: `60`. */
  introspectRateWindowSeconds?: number;
  /** Fetching of clients' `jwks_uri` documents for `private_key_jwt` (RFC 7523). */
  jwksFetch?: {
    /** Allow loopback, private and link-local targets and plain http (tests only). Default: `false`. */
    allowPrivate?: boolean;
    /** Timeout of one fetch, milliseconds. Default: `3000`. */
    timeoutMs?: number;
    /** Largest accepted document, bytes. Default: `65536`. */
    maxBytes?: number;
    /** How long a fetched key set is reused, seconds. Default: `300`. */
    cacheTtlSeconds?: number;
    /**
     * Outbound fetches one client may cause per minute, counted in the database (all instances);
     * 0 = unlimited. A failed fetch is also remembered for 30 s per URI. Default: `5`.
     */
    fetchLimitPerMinute?: number;
  };
  /** Delivery of logout tokens to clients' `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0). */
  backchannelLogout?: {
    /** Allow loopback, private and link-local targets and plain http (tests only). Default: `false`. */
    allowPrivate?: boolean;
    /** Timeout of one POST, milliseconds. Default: `5000`. */
    timeoutMs?: number;
    /** Attempts per delivery, the first included (retries back off exponentially). Default: `3`. */
    maxAttempts?: number;
    /** Delay before the first retry, milliseconds; doubled for each next one. Default: `2000`. */
    retryDelayMs?: number;
    /** Longest time the sign-out response waits for the first attempts, milliseconds. Default: `1000`. */
    waitMs?: number;
  };
  /** `private_key_jwt` client assertions (RFC 7523 §3). */
  clientAssertion?: {
    /**
     * Accepted `aud` (always one string; an array is refused): `issuer-or-endpoint` = the issuer, the token
     * endpoint URL or the URL of the endpoint called; `issuer` = the issuer only
     * (draft-ietf-oauth-rfc7523bis). Default: `issuer-or-endpoint`.
     */
    audience?: 'issuer' | 'issuer-or-endpoint';
    /** Assertions must expire within this many seconds of now (plus 30 s leeway). Default: `300`. */
    maxLifetimeSeconds?: number;
  };
  /**
   * RFC 9449 §8, §9: DPoP proofs must carry a server-provided nonce (`DPoP-Nonce`); a proof without one
   * is refused with `use_dpop_nonce`. When false, a proof may omit the nonce, but one it carries must be
   * valid. Default: `false`.
   */
  dpopNonceRequired?: boolean;
  /** RFC 8707 resource indicators clients may name (the `aud` of their tokens). */
  resourceIndicators?: {
    /**
     * Resources any client may request: absolute URIs, exact or prefixes ending in `/`; a client's
     * operator-set allowed resources replace this list for that client. `null`: any resource.
     * Default: `null`.
     */
    allowed?: string[] | null;
    /** Log a warning at start-up when `allowed` is null (the application sets it in production). Default: `false`. */
    warnWhenUnrestricted?: boolean;
  };
}

/** The defaults of {@link TokenModuleOptions}. */
export const TOKEN_DEFAULTS = {
  issuer: 'http://localhost:3000',
  routePrefix: '',
  accessTtlSeconds: 3600,
  refreshTtlSeconds: 30 * 24 * 3600,
  idTokenTtlSeconds: 3600,
  idTokenAlg: 'RS256',
  authCodeTtlSeconds: 60,
  rateLimit: 20000,
  rateWindowSeconds: 60,
  introspectRateLimit: 6000,
  introspectRateWindowSeconds: 60,
  jwksFetch: {
    allowPrivate: false,
    timeoutMs: 3000,
    maxBytes: 64 * 1024,
    cacheTtlSeconds: 300,
    fetchLimitPerMinute: 5,
  },
  backchannelLogout: {
    allowPrivate: false,
    timeoutMs: 5000,
    maxAttempts: 3,
    retryDelayMs: 2000,
    waitMs: 1000,
  },
  clientAssertion: { audience: 'issuer-or-endpoint', maxLifetimeSeconds: 300 },
  dpopNonceRequired: false,
  resourceIndicators: { allowed: null, warnWhenUnrestricted: false },
} as const;

/** TokenModule's effective settings. */
export interface TokenSettings {
  issuer: string;
  routePrefix: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  idTokenTtlSeconds: number;
  idTokenAlg: 'ES256' | 'RS256';
  authCodeTtlSeconds: number;
  rateLimit: number;
  rateWindowSeconds: number;
  introspectRateLimit: number;
  introspectRateWindowSeconds: number;
  jwksFetch: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxBytes: number;
    cacheTtlSeconds: number;
    fetchLimitPerMinute: number;
  };
  backchannelLogout: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxAttempts: number;
    retryDelayMs: number;
    waitMs: number;
  };
  clientAssertion: { audience: 'issuer' | 'issuer-or-endpoint'; maxLifetimeSeconds: number };
  dpopNonceRequired: boolean;
  resourceIndicators: { allowed: string[] | null; warnWhenUnrestricted: boolean };
  /** Absolute URL of one of the module's routes, e.g. `apiUrl('/oauth/token')`. */
  apiUrl(path: string): string;
}

/** Applies the defaults and refuses values that cannot work at start-up. */
export function resolveTokenSettings(options: TokenModuleOptions = {}): TokenSettings {
  const d = TOKEN_DEFAULTS;
  const issuer = (options.issuer ?? d.issuer).replace(/\/+$/, '');
  const routePrefix = normalizeRoutePrefix(options.routePrefix ?? d.routePrefix);
  const s: TokenSettings = {
    issuer,
    routePrefix,
    accessTtlSeconds: options.accessTtlSeconds ?? d.accessTtlSeconds,
    refreshTtlSeconds: options.refreshTtlSeconds ?? d.refreshTtlSeconds,
    idTokenTtlSeconds: options.idTokenTtlSeconds ?? d.idTokenTtlSeconds,
    idTokenAlg: options.idTokenAlg ?? d.idTokenAlg,
    authCodeTtlSeconds: options.authCodeTtlSeconds ?? d.authCodeTtlSeconds,
    rateLimit: options.rateLimit ?? d.rateLimit,
    rateWindowSeconds: options.rateWindowSeconds ?? d.rateWindowSeconds,
    introspectRateLimit: options.introspectRateLimit ?? d.introspectRateLimit,
    introspectRateWindowSeconds:
      options.introspectRateWindowSeconds ?? d.introspectRateWindowSeconds,
    jwksFetch: { ...d.jwksFetch, ...options.jwksFetch },
    backchannelLogout: { ...d.backchannelLogout, ...options.backchannelLogout },
    clientAssertion: { ...d.clientAssertion, ...options.clientAssertion },
    dpopNonceRequired: options.dpopNonceRequired ?? d.dpopNonceRequired,
    resourceIndicators: {
      allowed: options.resourceIndicators?.allowed ?? d.resourceIndicators.allowed,
      warnWhenUnrestricted:
        options.resourceIndicators?.warnWhenUnrestricted ??
        d.resourceIndicators.warnWhenUnrestricted,
    },
    apiUrl: (path) => `${issuer}${routePrefix}${path}`,
  };
  const problems: string[] = [];
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(s.issuer)) {
    problems.push('issuer must be an absolute http(s) URL without query or fragment');
  }
  if (!isRoutePrefix(s.routePrefix)) {
    problems.push('routePrefix must be empty or path segments such as /api/v1');
  }
  const positive = {
    accessTtlSeconds: s.accessTtlSeconds,
    refreshTtlSeconds: s.refreshTtlSeconds,
    idTokenTtlSeconds: s.idTokenTtlSeconds,
    authCodeTtlSeconds: s.authCodeTtlSeconds,
    rateWindowSeconds: s.rateWindowSeconds,
    introspectRateWindowSeconds: s.introspectRateWindowSeconds,
    'jwksFetch.timeoutMs': s.jwksFetch.timeoutMs,
    'jwksFetch.maxBytes': s.jwksFetch.maxBytes,
    'backchannelLogout.timeoutMs': s.backchannelLogout.timeoutMs,
    'backchannelLogout.maxAttempts': s.backchannelLogout.maxAttempts,
  };
  for (const [name, v] of Object.entries(positive)) {
    if (!Number.isInteger(v) || v < 1) problems.push(`${name} must be an integer >= 1`);
  }
  for (const [name, v] of Object.entries({
    rateLimit: s.rateLimit,
    introspectRateLimit: s.introspectRateLimit,
    'jwksFetch.cacheTtlSeconds': s.jwksFetch.cacheTtlSeconds,
    'jwksFetch.fetchLimitPerMinute': s.jwksFetch.fetchLimitPerMinute,
    'backchannelLogout.retryDelayMs': s.backchannelLogout.retryDelayMs,
    'backchannelLogout.waitMs': s.backchannelLogout.waitMs,
  })) {
    if (!Number.isInteger(v) || v < 0) problems.push(`${name} must be an integer >= 0`);
  }
  if (s.backchannelLogout.maxAttempts > 10) {
    problems.push('backchannelLogout.maxAttempts must be at most 10');
  }
  if (s.backchannelLogout.waitMs > 10000) {
    problems.push('backchannelLogout.waitMs must be at most 10000');
  }
  if (s.idTokenAlg !== 'ES256' && s.idTokenAlg !== 'RS256') {
    problems.push('idTokenAlg must be ES256 or RS256');
  }
  const { audience, maxLifetimeSeconds } = s.clientAssertion;
  if (audience !== 'issuer' && audience !== 'issuer-or-endpoint') {
    problems.push('clientAssertion.audience must be issuer or issuer-or-endpoint');
  }
  if (!Number.isInteger(maxLifetimeSeconds) || maxLifetimeSeconds < 10) {
    problems.push('clientAssertion.maxLifetimeSeconds must be an integer >= 10');
  }
  if (s.resourceIndicators.allowed !== null) {
    try {
      s.resourceIndicators.allowed = parseResourceAllowList(s.resourceIndicators.allowed);
    } catch (e) {
      problems.push(`resourceIndicators.allowed: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Invalid TokenModule options: ${problems.join('; ')}`);
  }
  return s;
}
