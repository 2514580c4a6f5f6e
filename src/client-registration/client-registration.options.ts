import { B64TOKEN_PATTERN } from '../common/oauth/authorization-header.js';
import { isRoutePrefix, normalizeRoutePrefix } from '../common/http/route-prefix.js';
import { isScopeToken } from '../common/oauth/scope.js';
import { parseRedirectHostAllowList } from '../common/validation/redirect-hosts.js';
import type { ClientMetadata } from './client-metadata.validator.js';

/**
 * `envelope`: the oauth-service `{code, data, message, timestamp}` (at the contract's
 * `/oauth/register`); `flat`: the bare RFC 7591 §3.2.1 / RFC 7592 §3 bodies (at `/connect/register`).
 * Both are always served; the style is a property of the route.
 */
export type RegistrationResponseStyle = 'envelope' | 'flat';

/** What a {@link RegistrationPolicy} is told about the request it judges. */
export interface RegistrationPolicyContext {
  /** `register` (RFC 7591 §3.1) or `update` (RFC 7592 §2.2). */
  operation: 'register' | 'update';
  /** The client being updated; absent on register. */
  clientId?: string;
  /** The caller's IP address as Express sees it (honours the host's `trust proxy`). */
  ip: string;
}

/**
 * An extension point (RFC 7591 §5 "the authorization server MAY reject or replace any of the client's
 * requested metadata values"): runs after the built-in rules, on register and on update, and may throw
 * `OAuthError.invalidClientMetadata(...)` / `OAuthError.invalidRedirectUri(...)` to refuse the metadata.
 * Provide it as the `policy` option; a policy that needs other providers is built in the `forRootAsync`
 * factory from what it injects.
 */
export interface RegistrationPolicy {
  validate(
    metadata: Readonly<ClientMetadata>,
    ctx: RegistrationPolicyContext,
  ): void | Promise<void>;
}

/** The default policy: the built-in rules are the whole policy. */
export const ALLOW_ALL_POLICY: RegistrationPolicy = { validate: () => undefined };

/**
 * Options of `ClientRegistrationModule.forRoot()` / `forRootAsync()`. The module reads nothing else: no
 * environment, no application settings. Every option is optional; an omitted one takes the default
 * stated here (the same in `forRoot` and `forRootAsync`), listed in {@link CLIENT_REGISTRATION_DEFAULTS}.
 */
export interface ClientRegistrationModuleOptions {
  /**
   * Absolute URL at which the host is reached (the issuer, RFC 8414 §2), without a trailing slash.
   * `registration_client_uri` (RFC 7592 §3) is built from it. Default: `http://localhost:3000`.
   */
  issuer?: string;
  /**
   * The host's global route prefix (`app.setGlobalPrefix`), under which the contract's envelope routes
   * (`/oauth/register`) answer; e.g. `/api/v1`. The standard routes (`/connect/register`) are at the host
   * root: exclude {@link REGISTRATION_ROOT_ROUTES} from the prefix. Default: `''` (no prefix).
   */
  routePrefix?: string;
  /**
   * Scope values clients may register (RFC 7591 §2 `scope`). Default:
   * `['openid', 'profile', 'email', 'offline_access']`.
   */
  scopesSupported?: string[];
  /**
   * Scope stored for clients that register without one; space-separated values of `scopesSupported`.
   * Default: every value of `scopesSupported`.
   */
  defaultScope?: string;
  /**
   * Issue a new registration access token on every successful update; the old one stops working at
   * once (RFC 7592 §2.2 allows rotation). Default: `true`.
   */
  rotateAccessToken?: boolean;
  /**
   * Registrations allowed per client IP per window, counted in the database so the limit holds across
   * instances; 0 = unlimited. Default: `10` (the contract's "10 per hour per IP").
   */
  rateLimit?: number;
  /** Rate-limit window in seconds. Default: `3600`. */
  rateWindowSeconds?: number;
  /**
   * Initial access tokens (RFC 7591 §3), each at least 16 characters: when non-empty, registration
   * requires `Authorization: Bearer <one of them>`. Default: `[]` (open registration).
   */
  initialAccessTokens?: string[];
  /** Client secret lifetime in seconds, 0 = never (RFC 7591 §3.2.1 `client_secret_expires_at`). Default: `0`. */
  secretTtlSeconds?: number;
  /**
   * How long a rotated client secret keeps authenticating after a rotation (reference O34: "still
   * verifiable for 4 hours"), seconds; 0 = it stops at once. Default: `14400`.
   */
  secretRotationGraceSeconds?: number;
  /** Allow `http` redirect URIs on loopback hosts for `web` clients (RFC 8252 §7.3). Default: `true`. */
  allowHttpLoopback?: boolean;
  /**
   * Hosts the http(s) redirect URIs of self-registered clients (registered without an initial access
   * token) may name: host names, IP literals, or `*.` + host name for exactly one more label (RFC 9700
   * §4.11.2: an error redirect can then reach only these hosts). Others are `invalid_redirect_uri`. Default:
   * `null` (any host).
   */
  allowedRedirectHosts?: string[] | null;
  /** Extra registration rules (see {@link RegistrationPolicy}). Default: none ({@link ALLOW_ALL_POLICY}). */
  policy?: RegistrationPolicy;
}

/** The defaults of {@link ClientRegistrationModuleOptions} (`defaultScope`: all of `scopesSupported`). */
export const CLIENT_REGISTRATION_DEFAULTS = {
  issuer: 'http://localhost:3000',
  routePrefix: '',
  scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
  rotateAccessToken: true,
  rateLimit: 10,
  rateWindowSeconds: 3600,
  initialAccessTokens: [],
  secretTtlSeconds: 0,
  secretRotationGraceSeconds: 4 * 3600,
  allowHttpLoopback: true,
  allowedRedirectHosts: null,
} as const satisfies Omit<Required<ClientRegistrationModuleOptions>, 'defaultScope' | 'policy'>;

/** The module's effective settings: the options over their defaults, validated at start-up. */
export interface RegistrationSettings {
  /** Issuer without a trailing slash. */
  issuer: string;
  /** `''` or `/segment[/segment…]`, without a trailing slash. */
  routePrefix: string;
  scopesSupported: string[];
  defaultScope: string;
  rotateAccessToken: boolean;
  rateLimit: number;
  rateWindowSeconds: number;
  initialAccessTokens: string[];
  secretTtlSeconds: number;
  secretRotationGraceSeconds: number;
  allowHttpLoopback: boolean;
  /** Parsed `allowedRedirectHosts`; null: any host. */
  allowedRedirectHosts: string[] | null;
}

/**
 * Applies the defaults and refuses contradictory values at start-up (a registration server that cannot
 * satisfy its own defaults must not start).
 */
export function resolveRegistrationSettings(
  options: ClientRegistrationModuleOptions = {},
): RegistrationSettings {
  const d = CLIENT_REGISTRATION_DEFAULTS;
  const scopesSupported = [...(options.scopesSupported ?? d.scopesSupported)];
  const s: RegistrationSettings = {
    issuer: (options.issuer ?? d.issuer).replace(/\/+$/, ''),
    routePrefix: normalizeRoutePrefix(options.routePrefix ?? d.routePrefix),
    scopesSupported,
    defaultScope: options.defaultScope ?? scopesSupported.join(' '),
    rotateAccessToken: options.rotateAccessToken ?? d.rotateAccessToken,
    rateLimit: options.rateLimit ?? d.rateLimit,
    rateWindowSeconds: options.rateWindowSeconds ?? d.rateWindowSeconds,
    initialAccessTokens: [...(options.initialAccessTokens ?? d.initialAccessTokens)],
    secretTtlSeconds: options.secretTtlSeconds ?? d.secretTtlSeconds,
    secretRotationGraceSeconds: options.secretRotationGraceSeconds ?? d.secretRotationGraceSeconds,
    allowHttpLoopback: options.allowHttpLoopback ?? d.allowHttpLoopback,
    allowedRedirectHosts: null,
  };
  const problems: string[] = [];
  const hosts = options.allowedRedirectHosts ?? d.allowedRedirectHosts;
  if (hosts !== null) {
    try {
      s.allowedRedirectHosts = parseRedirectHostAllowList(hosts);
    } catch (e) {
      problems.push(`allowedRedirectHosts: ${(e as Error).message}`);
    }
  }
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(s.issuer)) {
    problems.push('issuer must be an absolute http(s) URL without query or fragment');
  }
  if (!isRoutePrefix(s.routePrefix)) {
    problems.push('routePrefix must be empty or path segments such as /api/v1');
  }
  if (s.scopesSupported.length === 0 || !s.scopesSupported.every(isScopeToken)) {
    problems.push('scopesSupported must be a non-empty list of RFC 6749 §3.3 scope tokens');
  }
  if (!Number.isInteger(s.rateLimit) || s.rateLimit < 0) {
    problems.push('rateLimit must be an integer >= 0');
  }
  if (!Number.isInteger(s.rateWindowSeconds) || s.rateWindowSeconds < 1) {
    problems.push('rateWindowSeconds must be an integer >= 1');
  }
  if (!Number.isInteger(s.secretTtlSeconds) || s.secretTtlSeconds < 0) {
    problems.push('secretTtlSeconds must be an integer >= 0');
  }
  if (!Number.isInteger(s.secretRotationGraceSeconds) || s.secretRotationGraceSeconds < 0) {
    problems.push('secretRotationGraceSeconds must be an integer >= 0');
  }
  if (s.initialAccessTokens.some((t) => t.length < 16)) {
    problems.push('initialAccessTokens must each be at least 16 characters');
  }
  // RFC 7591 §3 / RFC 6750 §2.1: presented as a Bearer token, so only b64token characters can arrive.
  if (s.initialAccessTokens.some((t) => !B64TOKEN_PATTERN.test(t))) {
    problems.push('initialAccessTokens must use only RFC 6750 b64token characters');
  }
  const unknown = s.defaultScope.split(' ').filter((v) => v && !s.scopesSupported.includes(v));
  if (!s.defaultScope.trim() || unknown.length > 0) {
    problems.push(
      `defaultScope must be non-empty and use only supported scopes (${unknown.join(' ')})`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid ClientRegistrationModule options: ${problems.join('; ')}`);
  }
  return s;
}
