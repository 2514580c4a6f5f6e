import type { AppConfig } from '../config/app-config.js';
import type { ClientMetadata } from './client-metadata.validator.js';

/** `envelope`: the oauth-service `{code, data, message, timestamp}`; `flat`: RFC 7591 §3.2.1 bodies. */
export type RegistrationResponseStyle = 'envelope' | 'flat';

/** What a {@link RegistrationPolicy} is told about the request it judges. */
export interface RegistrationPolicyContext {
  /** `register` (RFC 7591 §3.1) or `update` (RFC 7592 §2.2). */
  operation: 'register' | 'update';
  /** The client being updated; absent on register. */
  clientId?: string;
  /** The caller's IP address as Express sees it (honours `TRUST_PROXY`). */
  ip: string;
}

/**
 * An extension point (RFC 7591 §5 "the authorization server MAY reject or replace any of the client's
 * requested metadata values"): runs after the built-in rules, on register and on update, and may throw
 * `OAuthError.invalidClientMetadata(...)` / `OAuthError.invalidRedirectUri(...)` to refuse the metadata.
 * Provide it as the `policy` option or inject it with the `REGISTRATION_POLICY` token.
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
 * Options of `ClientRegistrationModule.forRoot()` / `forRootAsync()`. Every option is optional; an
 * omitted one takes its value from `AppConfig.registration` (the `REGISTRATION_*` settings).
 */
export interface ClientRegistrationModuleOptions {
  /**
   * Issue a new registration access token on every successful update; the old one stops working at
   * once (RFC 7592 §2.2 allows rotation). Default: `REGISTRATION_ROTATE_ACCESS_TOKEN` (true).
   */
  rotateAccessToken?: boolean;
  /**
   * Registrations allowed per client IP per window, counted in the database so the limit holds across
   * instances; 0 = unlimited. Default: `REGISTRATION_RATE_LIMIT` (10, the contract's "10 per hour per IP").
   */
  rateLimit?: number;
  /** Rate-limit window in seconds. Default: `REGISTRATION_RATE_WINDOW` (3600). */
  rateWindowSeconds?: number;
  /**
   * Initial access tokens (RFC 7591 §3): when non-empty, `POST /oauth/register` requires
   * `Authorization: Bearer <one of them>`. Default: `REGISTRATION_INITIAL_ACCESS_TOKENS` (empty = open).
   */
  initialAccessTokens?: string[];
  /** Client secret lifetime in seconds, 0 = never (RFC 7591 §3.2.1). Default: `REGISTRATION_SECRET_TTL` (0). */
  secretTtlSeconds?: number;
  /** Allow `http` redirect URIs on loopback hosts for `web` clients. Default: `REGISTRATION_ALLOW_HTTP_LOOPBACK` (true). */
  allowHttpLoopback?: boolean;
  /** Scope stored for clients that register without one. Default: `REGISTRATION_DEFAULT_SCOPE`. */
  defaultScope?: string;
  /** Extra registration rules (see {@link RegistrationPolicy}). Default: none. */
  policy?: RegistrationPolicy;
}

/**
 * Static options of the module, fixed when it is composed because they shape its routes and its Swagger
 * document (they are accepted by both `forRoot` and `forRootAsync`).
 */
export interface ClientRegistrationModuleExtras {
  /**
   * Response style of the four endpoints. Default `envelope` (the oauth-service contract); `flat` gives
   * plain RFC 7591 §3.2.1 / RFC 7592 §3 bodies for strict standards clients (MCP clients, oauth4webapi).
   */
  responseStyle?: RegistrationResponseStyle;
}

/** The module's effective settings: options over `AppConfig.registration`, validated at start-up. */
export interface RegistrationSettings {
  responseStyle: RegistrationResponseStyle;
  rotateAccessToken: boolean;
  rateLimit: number;
  rateWindowSeconds: number;
  initialAccessTokens: string[];
  secretTtlSeconds: number;
  allowHttpLoopback: boolean;
  defaultScope: string;
  scopesSupported: string[];
}

/**
 * Merges options over the configuration and refuses contradictory values at start-up (a registration
 * server that cannot satisfy its own defaults must not start).
 */
export function resolveRegistrationSettings(
  options: ClientRegistrationModuleOptions,
  responseStyle: RegistrationResponseStyle,
  config: AppConfig,
): RegistrationSettings {
  const r = config.registration;
  const s: RegistrationSettings = {
    responseStyle,
    rotateAccessToken: options.rotateAccessToken ?? r.rotateAccessToken,
    rateLimit: options.rateLimit ?? r.rateLimit,
    rateWindowSeconds: options.rateWindowSeconds ?? r.rateWindowSeconds,
    initialAccessTokens: options.initialAccessTokens ?? r.initialAccessTokens,
    secretTtlSeconds: options.secretTtlSeconds ?? r.secretTtlSeconds,
    allowHttpLoopback: options.allowHttpLoopback ?? r.allowHttpLoopback,
    defaultScope: options.defaultScope ?? r.defaultScope,
    scopesSupported: config.scopesSupported,
  };
  const problems: string[] = [];
  if (!Number.isInteger(s.rateLimit) || s.rateLimit < 0) {
    problems.push('rateLimit must be an integer >= 0');
  }
  if (!Number.isInteger(s.rateWindowSeconds) || s.rateWindowSeconds < 1) {
    problems.push('rateWindowSeconds must be an integer >= 1');
  }
  if (!Number.isInteger(s.secretTtlSeconds) || s.secretTtlSeconds < 0) {
    problems.push('secretTtlSeconds must be an integer >= 0');
  }
  if (s.initialAccessTokens.some((t) => t.length < 16)) {
    problems.push('initialAccessTokens must each be at least 16 characters');
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
