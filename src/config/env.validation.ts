import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { B64TOKEN_PATTERN } from '../common/oauth/authorization-header.js';
import { isLoopbackHost } from '../common/oauth/redirect-uri.js';
import { SCOPE_PATTERN } from '../common/oauth/scope.js';
import { parseRedirectHostAllowList } from '../common/validation/redirect-hosts.js';
import { parseResourceAllowList } from '../common/validation/resource.js';
import { InternalApiKeysError, parseInternalApiKeys } from './internal-api-keys.js';
import { parseTrustProxy, TrustProxyError } from './trust-proxy.js';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/**
 * Every environment variable the server reads, validated once at boot: a bad value stops start-up with a
 * message naming the variable. Each property is documented in `env.docs.ts` (from which, with these
 * rules, `npm run docs:config` generates docs/configuration.md) and in `.env.example`.
 */
export class EnvironmentVariables {
  /** `development`, `production` or `test`. */
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;

  /** TCP port the HTTP server listens on. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT?: number;
  /** Interface the HTTP server binds to. */
  @IsOptional() @IsString() HOST?: string;
  /**
   * The issuer identifier (RFC 8414 §2): scheme, host, optional port, no query or fragment. It is the
   * `iss` of every token and the base of every absolute URL the server publishes.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Matches(/^[^?#]*[^/?#]$/, {
    message: 'ISSUER must not end with "/" nor carry a query or fragment',
  })
  ISSUER?: string;
  /**
   * Which proxies in front of the server to trust for the client IP (X-Forwarded-For): a hop count, or
   * addresses, CIDR subnets and Express's named ranges (`loopback`…), comma separated. `true` is refused
   * (see {@link parseTrustProxy}).
   */
  @IsOptional() @IsString() TRUST_PROXY?: string;
  /** Allow an `http:` loopback issuer with NODE_ENV=production (TLS terminated by a local proxy). */
  @IsOptional() @Transform(toBool) @IsBoolean() ALLOW_HTTP_ISSUER?: boolean;
  /** SIGTERM/SIGINT: how long in-flight requests may take to finish before they are cut, ms. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600000) SHUTDOWN_TIMEOUT_MS?: number;
  /** Largest accepted request body, e.g. `64kb`. */
  @IsOptional() @Matches(/^\d+(b|kb|mb)?$/i) BODY_LIMIT?: string;
  /** Nest log levels to print, comma separated. */
  @IsOptional() @IsString() LOG_LEVEL?: string;
  /**
   * `json` (one JSON object per line) or `pretty` (human-readable, needs the devDependency
   * `pino-pretty`). Unset: `pretty` when NODE_ENV=development and pino-pretty is installed, else `json`.
   */
  @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: string;
  /**
   * secret. Bearer token that `GET /metrics` requires; unset, `/metrics` answers 404. At least 16
   * characters, so that it cannot be guessed.
   */
  @IsOptional()
  @Length(16, undefined, { message: 'METRICS_TOKEN must be at least 16 characters' })
  @Matches(B64TOKEN_PATTERN, {
    message:
      'METRICS_TOKEN must use only the RFC 6750 b64token characters (A-Z a-z 0-9 - . _ ~ + / =)',
  })
  METRICS_TOKEN?: string;

  /** `sqlite` (embedded, default), `mysql` (MySQL through mysql2) or `mariadb` (MariaDB through mysql2). */
  @IsOptional() @IsIn(['sqlite', 'mysql', 'mariadb']) DB_TYPE?: string;
  /** SQLite database file. */
  @IsOptional() @IsString() DB_SQLITE_PATH?: string;
  /** SQLite durability per commit: `normal` (WAL, no fsync per commit; default) or `full`. */
  @IsOptional() @IsIn(['normal', 'full']) DB_SQLITE_SYNCHRONOUS?: string;
  @IsOptional() @IsString() DB_HOST?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535) DB_PORT?: number;
  @IsOptional() @IsString() DB_USER?: string;
  /** secret */
  @IsOptional() @IsString() DB_PASSWORD?: string;
  @IsOptional() @IsString() DB_NAME?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(500) DB_POOL_SIZE?: number;
  /** Requests that may wait for a pooled connection; more are refused at once (503). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000) DB_POOL_QUEUE_LIMIT?: number;
  /** Longest wait for a pooled connection (and for a new connection's handshake), ms. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) DB_ACQUIRE_TIMEOUT_MS?: number;
  /** Longest a MySQL/MariaDB statement may take before it fails and its connection is dropped, ms. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) DB_QUERY_TIMEOUT_MS?: number;
  /** How long an SQLite statement waits for a lock held by another process before it fails, ms. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600000) DB_SQLITE_BUSY_TIMEOUT_MS?: number;
  /** Start-up: connection attempts after the first one before the server gives up. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(100) DB_CONNECT_RETRIES?: number;
  /** Start-up: delay before the first retry, ms; doubled for every further retry (at most 30 s). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(60000) DB_CONNECT_RETRY_DELAY_MS?: number;
  /** Run pending migrations at start-up. */
  @IsOptional() @Transform(toBool) @IsBoolean() DB_MIGRATIONS_RUN?: boolean;
  @IsOptional() @Transform(toBool) @IsBoolean() DB_LOGGING?: boolean;

  /**
   * Which registration endpoint discovery advertises: `flat` (default, `/connect/register`, RFC 7591
   * bodies) or `envelope` (the contract's `/api/v1/oauth/register`). Both always answer.
   */
  @IsOptional() @IsIn(['envelope', 'flat']) REGISTRATION_RESPONSE_STYLE?: string;
  /** Registrations allowed per client IP per window; 0 disables the limit. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) REGISTRATION_RATE_LIMIT?: number;
  /** Rate-limit window in seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) REGISTRATION_RATE_WINDOW?: number;
  /** secret. Comma-separated initial access tokens (RFC 7591 §3); when set, registration requires one. */
  @IsOptional() @IsString() REGISTRATION_INITIAL_ACCESS_TOKENS?: string;
  /** Issue a new registration access token on every successful update (RFC 7592 §2.2 allows it). */
  @IsOptional() @Transform(toBool) @IsBoolean() REGISTRATION_ROTATE_ACCESS_TOKEN?: boolean;
  /** Lifetime of issued client secrets in seconds; 0 = never expire. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) REGISTRATION_SECRET_TTL?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CLIENT_SECRET_ROTATION_GRACE?: number;
  /** Allow `http` redirect URIs on loopback hosts for `web` clients. */
  @IsOptional() @Transform(toBool) @IsBoolean() REGISTRATION_ALLOW_HTTP_LOOPBACK?: boolean;
  /**
   * Space-separated hosts (`app.example.com`, `*.example.com` for one more label, `127.0.0.1`, `[::1]`)
   * the http(s) redirect URIs of self-registered clients may name; unset: any host.
   */
  @IsOptional() @IsString() REGISTRATION_ALLOWED_REDIRECT_HOSTS?: string;
  /** Scope given to a client that registers without one; defaults to every supported scope. */
  @IsOptional() @IsString() REGISTRATION_DEFAULT_SCOPE?: string;

  /** Space-separated scopes the server offers. */
  @IsOptional()
  @Matches(SCOPE_PATTERN)
  SCOPES_SUPPORTED?: string;

  /**
   * Space-separated RFC 8707 resource indicators any client may request tokens for: absolute URIs
   * matched exactly, or prefixes ending in `/`. Unset: any resource (a warning is logged in production).
   */
  @IsOptional() @IsString() RESOURCE_INDICATORS_ALLOWED?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(30) TOKEN_ACCESS_TTL?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) TOKEN_REFRESH_TTL?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(30) TOKEN_ID_TTL?: number;
  /** JWS algorithm of ID tokens: `RS256` (default; OIDC Discovery §3 requires it) or `ES256`. */
  @IsOptional() @IsIn(['RS256', 'ES256']) TOKEN_ID_ALG?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(600) AUTH_CODE_TTL?: number;
  /** RFC 9449 §8: DPoP proofs must carry a server-provided nonce (`use_dpop_nonce` otherwise). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  DPOP_NONCE_REQUIRED?: boolean;
  /** Token requests (`/oauth/token`, `/oauth/refresh`) per client_id and IP per window; 0 disables. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) TOKEN_RATE_LIMIT?: number;
  /** Window of the token rate limit, seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) TOKEN_RATE_WINDOW?: number;
  /** Introspection requests (`/oauth/introspect`) per client_id and IP per window; 0 disables. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) INTROSPECT_RATE_LIMIT?: number;
  /** Window of the introspection rate limit, seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) INTROSPECT_RATE_WINDOW?: number;
  /** Authorization requests (`/oauth/authorize`) per IP per window; 0 disables. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) AUTHORIZE_RATE_LIMIT?: number;
  /** Window of the authorization rate limit, seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) AUTHORIZE_RATE_WINDOW?: number;
  /**
   * For self-registered clients, show authorization errors that happen before sign-in on an error page
   * with a plain link, instead of redirecting (RFC 9700 §4.11.2).
   */
  @IsOptional() @Transform(toBool) @IsBoolean() AUTHORIZE_UNTRUSTED_ERROR_PAGE?: boolean;
  /** Largest client-chosen size (bytes) of an authorization request kept while the user signs in. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(65536)
  AUTHORIZE_REQUEST_MAX_BYTES?: number;
  /** Authorization requests kept for sign-in per client IP per 10 minutes; 0 disables. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) AUTHORIZE_PENDING_PER_IP?: number;
  /** Sign-in attempts (`POST /oauth/login`) per IP per window; 0 disables. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_RATE_LIMIT?: number;
  /** Window of the sign-in rate limit, seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LOGIN_RATE_WINDOW?: number;
  /** Failed sign-ins per username within `loginLockoutWindowSeconds` that lock the username until the window ends (generic message, no password check); 0 = never locked. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_LOCKOUT_THRESHOLD?: number;
  /** Window in which failed sign-ins are counted, seconds; a lockout lasts until it ends. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) LOGIN_LOCKOUT_WINDOW?: number;
  /** Failed sign-ins per client IP (any username) within the window that lock that IP; 0 = never. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_IP_LOCKOUT_THRESHOLD?: number;
  /** Failed sign-ins of a username after which every attempt waits a growing delay. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_DELAY_AFTER?: number;
  /** First delay, milliseconds, doubled with each further failure; 0 = no delays. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_DELAY_BASE_MS?: number;
  /** Longest delay, milliseconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_DELAY_MAX_MS?: number;
  /** Password checks (argon2) running at once on this instance. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LOGIN_HASH_CONCURRENCY?: number;
  /** Password checks that may wait for a slot; beyond, 503 `temporarily_unavailable`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LOGIN_HASH_QUEUE?: number;

  /**
   * Accepted `aud` of `private_key_jwt` client assertions (RFC 7523 §3): `issuer-or-endpoint` (default:
   * the issuer, the token endpoint URL or the URL of the endpoint called) or `issuer` (the issuer only,
   * draft-ietf-oauth-rfc7523bis). An array `aud` is refused either way.
   */
  @IsOptional() @IsIn(['issuer-or-endpoint', 'issuer']) CLIENT_ASSERTION_AUDIENCE?: string;
  /** Longest accepted client assertion lifetime, seconds from now to `exp` (RFC 7523 §3); default 300. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86400)
  CLIENT_ASSERTION_MAX_LIFETIME?: number;

  /** JWS algorithm of JWT access tokens (RFC 9068): `ES256` (default) or `RS256`. */
  @IsOptional() @IsIn(['ES256', 'RS256']) KEYS_ALG?: string;
  /** secret. Base64 of 32 random bytes; encrypts private signing keys at rest. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'KEYS_ENCRYPTION_KEY must be base64 of 32 bytes' })
  KEYS_ENCRYPTION_KEY?: string;
  /**
   * Seconds a key staged by `keys:rotate` is published before it signs. At least 360: the instances' key
   * cache (60 s) plus the JWK Set `max-age` (300 s), the longest a JWK Set copy can lag the database.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(360) KEYS_PUBLISH_AHEAD?: number;

  /** Lifetime of a pushed authorization request's `request_uri` (RFC 9126 §2.2), seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(5) @Max(600) PAR_REQUEST_URI_TTL?: number;
  /** RFC 9126 §5: every client must push its authorization requests. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  REQUIRE_PUSHED_AUTHORIZATION_REQUESTS?: boolean;

  /**
   * Hosts whose https URLs may be client_ids resolved as Client ID Metadata Documents: `*` (any public
   * host), `none` (the feature is off), or a comma-separated list of host names (`*.example.com` for
   * sub-domains).
   */
  @IsOptional()
  @Matches(/^(\*|none|(\*\.)?[A-Za-z0-9.-]+(:\d+)?(,\s*(\*\.)?[A-Za-z0-9.-]+(:\d+)?)*)$/, {
    message: 'CLIENT_ID_METADATA_HOSTS must be *, none, or a comma-separated list of host names',
  })
  CLIENT_ID_METADATA_HOSTS?: string;
  /** Test only: metadata documents on loopback or private addresses, and over plain http. */
  @IsOptional() @Transform(toBool) @IsBoolean() CLIENT_ID_METADATA_ALLOW_PRIVATE?: boolean;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  CLIENT_ID_METADATA_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) CLIENT_ID_METADATA_MAX_BYTES?: number;
  /** Shortest time a fetched document is used, seconds, whatever its caching headers say. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CLIENT_ID_METADATA_MIN_TTL?: number;
  /** Longest time a fetched document is used before it is fetched again, seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) CLIENT_ID_METADATA_MAX_TTL?: number;

  /** Lifetime of a login session in seconds. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) SESSION_TTL?: number;

  /** Allow `jwks_uri` on loopback or private addresses (tests, internal networks). */
  @IsOptional() @Transform(toBool) @IsBoolean() JWKS_URI_ALLOW_PRIVATE?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(30000) JWKS_URI_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) JWKS_URI_MAX_BYTES?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) JWKS_URI_CACHE_TTL?: number;
  /** Outbound `jwks_uri` fetches each client may cause per minute (all instances); 0 = unlimited. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) JWKS_URI_FETCH_LIMIT?: number;

  /** Allow back-channel logout deliveries to loopback or private addresses and plain http (tests). */
  @IsOptional() @Transform(toBool) @IsBoolean() BACKCHANNEL_LOGOUT_ALLOW_PRIVATE?: boolean;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  BACKCHANNEL_LOGOUT_TIMEOUT_MS?: number;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  BACKCHANNEL_LOGOUT_MAX_ATTEMPTS?: number;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  BACKCHANNEL_LOGOUT_RETRY_DELAY_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(10000) BACKCHANNEL_LOGOUT_WAIT_MS?: number;
  /** Keys of the internal API (`X-API-Key`), `id:key` or `key`, comma separated; unset = routes off. */
  @IsOptional() @IsString() INTERNAL_API_KEYS?: string;
  /** Suspend dynamically registered clients that obtained no token for this many days; 0 = never. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CLIENT_REAP_SUSPEND_AFTER_DAYS?: number;
  /** Delete dynamically registered clients that obtained no token for this many days; 0 = never. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CLIENT_REAP_DELETE_AFTER_DAYS?: number;
  /** Seconds between two reaping runs of one instance. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) CLIENT_REAP_INTERVAL?: number;
}

/** Variables whose values are secrets: never logged or echoed. */
export const SECRET_VARIABLES = new Set([
  'DB_PASSWORD',
  'REGISTRATION_INITIAL_ACCESS_TOKENS',
  'KEYS_ENCRYPTION_KEY',
  'INTERNAL_API_KEYS',
  'METRICS_TOKEN',
]);

/** Thrown when the environment is invalid; the message lists every offending variable. */
export class ConfigValidationError extends Error {}

/** Validates raw environment values; returns the typed, converted variables or throws. */
export function validateEnv(raw: Record<string, string | undefined>): EnvironmentVariables {
  // Empty strings mean "unset", as in most .env files.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== '') cleaned[k] = v;
  const env = plainToInstance(EnvironmentVariables, cleaned, { enableImplicitConversion: false });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  const lines = errors.map((e) => {
    // Never echo secret values, even malformed ones.
    const shown = SECRET_VARIABLES.has(e.property) ? '<redacted>' : JSON.stringify(e.value);
    return `  ${e.property}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`;
  });
  // Safe by default: the development key that encrypts signing keys otherwise is public knowledge, so a
  // production deployment without its own key would hand out its token-signing keys with a database dump.
  if (env.NODE_ENV === 'production' && !env.KEYS_ENCRYPTION_KEY) {
    lines.push(
      '  KEYS_ENCRYPTION_KEY: required when NODE_ENV=production (generate one: openssl rand -base64 32)',
    );
  } else if (
    (env.DB_TYPE === 'mysql' || env.DB_TYPE === 'mariadb') &&
    !env.KEYS_ENCRYPTION_KEY &&
    env.NODE_ENV !== 'development'
  ) {
    // Instances sharing a MySQL/MariaDB database must share the key, so none can be generated for them;
    // only an explicit NODE_ENV=development may fall back to the derivable development key.
    lines.push(
      `  KEYS_ENCRYPTION_KEY: required with DB_TYPE=${env.DB_TYPE} unless NODE_ENV=development (generate ` +
        'one: openssl rand -base64 32, the same on every instance)',
    );
  }
  const issuerProblem = httpIssuerProblem(env);
  if (issuerProblem) lines.push(`  ISSUER: ${issuerProblem}`);
  if (env.RESOURCE_INDICATORS_ALLOWED !== undefined) {
    try {
      parseResourceAllowList(env.RESOURCE_INDICATORS_ALLOWED.split(' ').filter(Boolean));
    } catch (e) {
      lines.push(`  RESOURCE_INDICATORS_ALLOWED: ${(e as Error).message}`);
    }
  }
  if (env.REGISTRATION_ALLOWED_REDIRECT_HOSTS !== undefined) {
    try {
      parseRedirectHostAllowList(
        env.REGISTRATION_ALLOWED_REDIRECT_HOSTS.split(' ').filter(Boolean),
      );
    } catch (e) {
      lines.push(`  REGISTRATION_ALLOWED_REDIRECT_HOSTS: ${(e as Error).message}`);
    }
  }
  try {
    parseInternalApiKeys(env.INTERNAL_API_KEYS);
  } catch (e) {
    if (!(e instanceof InternalApiKeysError)) throw e;
    // The message names the entry by its id, never by its key.
    lines.push(`  INTERNAL_API_KEYS: ${e.message}`);
  }
  const suspendDays = env.CLIENT_REAP_SUSPEND_AFTER_DAYS ?? 0;
  const deleteDays = env.CLIENT_REAP_DELETE_AFTER_DAYS ?? 0;
  if (deleteDays > 0 && suspendDays > 0 && deleteDays <= suspendDays) {
    lines.push(
      `  CLIENT_REAP_DELETE_AFTER_DAYS=${deleteDays}: must be greater than ` +
        `CLIENT_REAP_SUSPEND_AFTER_DAYS=${suspendDays} (a client is suspended first, deleted later)`,
    );
  }
  try {
    parseTrustProxy(env.TRUST_PROXY);
  } catch (e) {
    if (!(e instanceof TrustProxyError)) throw e;
    lines.push(`  TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)}: ${e.message}`);
  }
  if (lines.length > 0) {
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

/**
 * Host names that reach only the machine itself: the loopback hosts of redirect URIs
 * (`common/oauth/redirect-uri.ts`) and, for the issuer, any `*.localhost` name too (RFC 6761 §6.3).
 */
function isLoopbackIssuerHost(hostname: string): boolean {
  return isLoopbackHost(hostname) || hostname.endsWith('.localhost');
}

/**
 * In production the issuer must be `https` (RFC 8414 §2, OAuth 2.0 Security BCP RFC 9700 §2.6): tokens,
 * codes and the login cookie would otherwise travel in clear, and the cookie could not be `Secure`. The
 * one exception is a loopback issuer behind a TLS-terminating proxy on the same host, allowed only with
 * `ALLOW_HTTP_ISSUER=true`. Returns why the issuer is refused, or undefined.
 */
function httpIssuerProblem(env: EnvironmentVariables): string | undefined {
  if (env.NODE_ENV !== 'production') return undefined;
  const issuer = env.ISSUER ?? `http://localhost:${env.PORT ?? 3000}`;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined; // the ISSUER rule above reports the malformed value
  }
  if (url.protocol !== 'http:') return undefined;
  if (!env.ALLOW_HTTP_ISSUER) {
    return (
      `must be https when NODE_ENV=production (is ${issuer}${env.ISSUER ? '' : ', the default'}): set ` +
      'ISSUER=https://<public host>, or ALLOW_HTTP_ISSUER=true for a loopback issuer behind a local TLS proxy'
    );
  }
  if (!isLoopbackIssuerHost(url.hostname)) {
    return `ALLOW_HTTP_ISSUER=true allows http only on a loopback host (localhost, 127.0.0.1, [::1]), not ${url.hostname}`;
  }
  return undefined;
}
