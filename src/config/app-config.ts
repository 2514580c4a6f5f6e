import { API_PREFIX } from '../common/http/route-prefix.js';
import { parseRedirectHostAllowList } from '../common/validation/redirect-hosts.js';
import type { DatabaseSettings } from '../database/index.js';
import { parseResourceAllowList } from '../common/validation/resource.js';
import { validateEnv } from './env.validation.js';
import { parseInternalApiKeys, type InternalApiKey } from './internal-api-keys.js';
import { parseTrustProxy, type TrustProxySetting } from './trust-proxy.js';

/**
 * Database connection settings (DESIGN.md "Persistence"): DatabaseModule's settings, filled from the
 * `DB_*` variables.
 */
export type DatabaseConfig = DatabaseSettings;

/** Dynamic Client Registration settings (RFC 7591/7592). */
export interface RegistrationConfig {
  /**
   * Which registration endpoint discovery advertises as `registration_endpoint` (both always answer):
   * `flat` (default) = `/connect/register` (RFC 7591 bodies), `envelope` = the contract's
   * `/api/v1/oauth/register` (docs/adr/0020).
   */
  responseStyle: 'envelope' | 'flat';
  /** Registrations per IP per window; 0 = unlimited. Default 10 (the contract's "10 per hour per IP"). */
  rateLimit: number;
  /** Window of the registration rate limit, seconds. Default 3600. */
  rateWindowSeconds: number;
  /** Initial access tokens (RFC 7591 §3); empty = open registration. */
  initialAccessTokens: string[];
  /** Rotate the registration access token on every successful PUT. Default true. */
  rotateAccessToken: boolean;
  /** Client secret lifetime in seconds, 0 = never expires. */
  secretTtlSeconds: number;
  /** How long a rotated client secret keeps authenticating, seconds. Default 14400 (4 h). */
  secretRotationGraceSeconds: number;
  /** Allow http redirect URIs on loopback hosts for web clients. Default true. */
  allowHttpLoopback: boolean;
  /** Scope stored for clients that register without `scope`. */
  defaultScope: string;
  /** `REGISTRATION_ALLOWED_REDIRECT_HOSTS`: hosts of self-registered clients' redirect URIs; null = any. */
  allowedRedirectHosts: string[] | null;
}

/** The authorization endpoint and its login and consent pages. */
export interface AuthorizeConfig {
  /** `AUTHORIZE_UNTRUSTED_ERROR_PAGE`: errors before sign-in of self-registered clients on a page. */
  untrustedErrorPage: boolean;
  /** `AUTHORIZE_REQUEST_MAX_BYTES`: client-chosen bytes of a kept authorization request. */
  maxRequestBytes: number;
  /** `AUTHORIZE_PENDING_PER_IP`: authorization requests kept per client IP per 10 minutes. */
  pendingPerIp: number;
  /** `LOGIN_LOCKOUT_THRESHOLD`. */
  loginLockoutThreshold: number;
  /** `LOGIN_LOCKOUT_WINDOW`. */
  loginLockoutWindowSeconds: number;
  /** `LOGIN_IP_LOCKOUT_THRESHOLD`. */
  loginIpLockoutThreshold: number;
  /** `LOGIN_DELAY_AFTER`. */
  loginDelayAfter: number;
  /** `LOGIN_DELAY_BASE_MS`. */
  loginDelayBaseMs: number;
  /** `LOGIN_DELAY_MAX_MS`. */
  loginDelayMaxMs: number;
  /** `LOGIN_HASH_CONCURRENCY`. */
  passwordCheckConcurrency: number;
  /** `LOGIN_HASH_QUEUE`. */
  passwordCheckQueue: number;
}

/** Token lifetimes and limits (RFC 6749, RFC 9068). */
export interface TokenConfig {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  idTokenTtlSeconds: number;
  /**
   * JWS algorithm of ID tokens. RS256 by default: OIDC Discovery §3 requires it among
   * `id_token_signing_alg_values_supported`, and it is the OIDC Registration §2 default every RP accepts.
   */
  idTokenAlg: 'ES256' | 'RS256';
  authCodeTtlSeconds: number;
  /** `CLIENT_ASSERTION_AUDIENCE`: which `aud` a `private_key_jwt` assertion may name (RFC 7523 §3). */
  clientAssertionAudience: 'issuer' | 'issuer-or-endpoint';
  /** `CLIENT_ASSERTION_MAX_LIFETIME`: assertions must expire within this many seconds. Default 300. */
  clientAssertionMaxLifetimeSeconds: number;
  /** `DPOP_NONCE_REQUIRED`: DPoP proofs must carry a server nonce (RFC 9449 §8). Default false. */
  dpopNonceRequired: boolean;
}

/** One rate limit: `limit` requests per fixed window of `windowSeconds`; `limit` 0 disables it. */
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

/**
 * Rate limits of the protocol endpoints besides registration (whose limit is in
 * {@link RegistrationConfig}); docs/rate-limits.md.
 */
export interface RateLimitsConfig {
  /** `POST /oauth/token` and `/oauth/refresh`, per client_id and IP. Default 20000 per 60 s. */
  token: RateLimitSetting;
  /** `GET|POST /oauth/authorize`, per IP. Default 300 per 60 s. */
  authorize: RateLimitSetting;
  /** `POST /oauth/login` (sign-in attempts), per IP. Default 60 per 60 s. */
  login: RateLimitSetting;
  /** `POST /oauth/introspect`, per client_id and IP. Default 6000 per 60 s. */
  introspect: RateLimitSetting;
}

/** Idle-client reaping (docs/internal-api.md#idle-client-reaping); off unless a day count is set. */
export interface ClientReapingConfig {
  /** `CLIENT_REAP_SUSPEND_AFTER_DAYS`: suspend after this many idle days; 0 = never. */
  suspendAfterDays: number;
  /** `CLIENT_REAP_DELETE_AFTER_DAYS`: delete after this many idle days; 0 = never. */
  deleteAfterDays: number;
  /** `CLIENT_REAP_INTERVAL`: seconds between two runs of one instance. Default 3600. */
  intervalSeconds: number;
}

/** Signing key settings. */
export interface KeysConfig {
  /** JWS algorithm of JWT access tokens (RFC 9068), `KEYS_ALG`. ID tokens use `token.idTokenAlg`. */
  alg: 'ES256' | 'RS256';
  /** 32-byte key that encrypts private keys at rest; `undefined` means a development key is derived. */
  encryptionKey: Buffer | undefined;
  /**
   * `KEYS_PUBLISH_AHEAD`: seconds a staged key is published before it signs (default 600). At least the
   * longest JWK Set cache lifetime (instance key cache 60 s + JWK Set `max-age` 300 s), see docs/keys.md.
   */
  publishAheadSeconds: number;
}

/** Logout token deliveries to clients' `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0). */
export interface BackchannelLogoutConfig {
  allowPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  waitMs: number;
}

/** Outbound fetches of client `jwks_uri` documents (RFC 7523 client authentication). */
export interface JwksFetchConfig {
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  cacheTtlSeconds: number;
  /** `JWKS_URI_FETCH_LIMIT`: outbound fetches per client per minute, across instances; 0 = unlimited. */
  fetchLimitPerMinute: number;
}

/** Pushed authorization requests (RFC 9126). */
export interface ParConfig {
  /** `PAR_REQUEST_URI_TTL`: `expires_in` of a request_uri, seconds. */
  requestUriTtlSeconds: number;
  /** `REQUIRE_PUSHED_AUTHORIZATION_REQUESTS`: every client must push. */
  required: boolean;
}

/** Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document). */
export interface ClientIdMetadataConfig {
  /** `CLIENT_ID_METADATA_HOSTS`: `'*'` (any public host), `'none'` (off) or host patterns. */
  hosts: '*' | 'none' | string[];
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  minTtlSeconds: number;
  maxTtlSeconds: number;
}

/**
 * The whole validated configuration, injected by type (`constructor(private readonly config: AppConfig)`).
 * Built once from the environment (plus test overrides) by {@link loadConfig}; `process.env` is read
 * nowhere else except `ormconfig.ts`, which goes through the same function.
 */
export class AppConfig {
  nodeEnv!: 'development' | 'production' | 'test';
  port!: number;
  host!: string;
  /** Issuer identifier, no trailing slash (RFC 8414 §2). */
  issuer!: string;
  /** Express `trust proxy` from `TRUST_PROXY`: false, a hop count, or proxy addresses and subnets. */
  trustProxy!: TrustProxySetting;
  bodyLimit!: string;
  /** `SHUTDOWN_TIMEOUT_MS`: how long in-flight requests may take to finish after SIGTERM. */
  shutdownTimeoutMs!: number;
  /** `ALLOW_HTTP_ISSUER`: an `http:` loopback issuer is accepted in production (validated in env.validation.ts). */
  allowHttpIssuer!: boolean;
  logLevels!: string[];
  /** `LOG_FORMAT`; undefined = pretty in development when pino-pretty is installed, else JSON. */
  logFormat!: 'json' | 'pretty' | undefined;
  /** `METRICS_TOKEN`: the bearer token of `GET /metrics`; undefined = no metrics endpoint (404). */
  metricsToken!: string | undefined;
  scopesSupported!: string[];
  /**
   * `RESOURCE_INDICATORS_ALLOWED`: the RFC 8707 resources any client may ask for (exact URIs, or
   * prefixes ending in `/`); null when unset (any resource, as before the setting existed). A client's
   * own allowed resources, set by the operator, replace this list for that client.
   */
  resourceIndicatorsAllowed!: string[] | null;
  sessionTtlSeconds!: number;
  database!: DatabaseConfig;
  registration!: RegistrationConfig;
  authorize!: AuthorizeConfig;
  token!: TokenConfig;
  rateLimits!: RateLimitsConfig;
  keys!: KeysConfig;
  jwksFetch!: JwksFetchConfig;
  backchannelLogout!: BackchannelLogoutConfig;
  /** `INTERNAL_API_KEYS`, parsed and hashed: empty when unset (the internal API answers 404). */
  internalApiKeys!: InternalApiKey[];
  par!: ParConfig;
  clientIdMetadata!: ClientIdMetadataConfig;
  clientReaping!: ClientReapingConfig;

  /** Absolute URL of a path under the API prefix, e.g. `apiUrl('/oauth/token')`. */
  apiUrl(path: string): string {
    return `${this.issuer}${API_PREFIX}${path}`;
  }
}

/** Builds the validated {@link AppConfig}; throws `ConfigValidationError` naming each bad variable. */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const env = validateEnv(raw);
  const c = new AppConfig();
  c.nodeEnv = (env.NODE_ENV as AppConfig['nodeEnv']) ?? 'development';
  c.port = env.PORT ?? 3000;
  c.host = env.HOST ?? '0.0.0.0';
  c.issuer = env.ISSUER ?? `http://localhost:${c.port}`;
  c.trustProxy = parseTrustProxy(env.TRUST_PROXY);
  c.bodyLimit = env.BODY_LIMIT ?? '64kb';
  c.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS ?? 10000;
  c.allowHttpIssuer = env.ALLOW_HTTP_ISSUER ?? false;
  c.logLevels = (env.LOG_LEVEL ?? 'log,warn,error').split(',').map((s) => s.trim());
  c.logFormat = env.LOG_FORMAT as AppConfig['logFormat'];
  c.metricsToken = env.METRICS_TOKEN;
  c.scopesSupported = (env.SCOPES_SUPPORTED ?? 'openid profile email offline_access').split(' ');
  c.resourceIndicatorsAllowed =
    env.RESOURCE_INDICATORS_ALLOWED === undefined
      ? null
      : parseResourceAllowList(env.RESOURCE_INDICATORS_ALLOWED.split(' ').filter(Boolean));
  c.sessionTtlSeconds = env.SESSION_TTL ?? 8 * 3600;
  c.database = {
    type: (env.DB_TYPE as DatabaseConfig['type']) ?? 'sqlite',
    sqlitePath: env.DB_SQLITE_PATH ?? 'data/authms.sqlite',
    sqliteSynchronous:
      (env.DB_SQLITE_SYNCHRONOUS as DatabaseConfig['sqliteSynchronous']) ?? 'normal',
    host: env.DB_HOST ?? '127.0.0.1',
    port: env.DB_PORT ?? 3306,
    user: env.DB_USER ?? 'root',
    password: env.DB_PASSWORD ?? '',
    name: env.DB_NAME ?? 'authms',
    poolSize: env.DB_POOL_SIZE ?? 10,
    poolQueueLimit: env.DB_POOL_QUEUE_LIMIT ?? 100,
    acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS ?? 3000,
    queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS ?? 5000,
    sqliteBusyTimeoutMs: env.DB_SQLITE_BUSY_TIMEOUT_MS ?? 5000,
    connectRetries: env.DB_CONNECT_RETRIES ?? 5,
    connectRetryDelayMs: env.DB_CONNECT_RETRY_DELAY_MS ?? 500,
    migrationsRun: env.DB_MIGRATIONS_RUN ?? true,
    logging: env.DB_LOGGING ?? false,
  };
  const defaultScope = env.REGISTRATION_DEFAULT_SCOPE ?? c.scopesSupported.join(' ');
  c.registration = {
    responseStyle:
      (env.REGISTRATION_RESPONSE_STYLE as RegistrationConfig['responseStyle']) ?? 'flat',
    rateLimit: env.REGISTRATION_RATE_LIMIT ?? 10,
    rateWindowSeconds: env.REGISTRATION_RATE_WINDOW ?? 3600,
    initialAccessTokens: (env.REGISTRATION_INITIAL_ACCESS_TOKENS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    rotateAccessToken: env.REGISTRATION_ROTATE_ACCESS_TOKEN ?? true,
    secretTtlSeconds: env.REGISTRATION_SECRET_TTL ?? 0,
    secretRotationGraceSeconds: env.CLIENT_SECRET_ROTATION_GRACE ?? 4 * 3600,
    allowHttpLoopback: env.REGISTRATION_ALLOW_HTTP_LOOPBACK ?? true,
    defaultScope,
    allowedRedirectHosts:
      env.REGISTRATION_ALLOWED_REDIRECT_HOSTS === undefined
        ? null
        : parseRedirectHostAllowList(
            env.REGISTRATION_ALLOWED_REDIRECT_HOSTS.split(' ').filter(Boolean),
          ),
  };
  c.authorize = {
    untrustedErrorPage: env.AUTHORIZE_UNTRUSTED_ERROR_PAGE ?? false,
    maxRequestBytes: env.AUTHORIZE_REQUEST_MAX_BYTES ?? 8192,
    pendingPerIp: env.AUTHORIZE_PENDING_PER_IP ?? 60,
    loginLockoutThreshold: env.LOGIN_LOCKOUT_THRESHOLD ?? 10,
    loginLockoutWindowSeconds: env.LOGIN_LOCKOUT_WINDOW ?? 900,
    loginIpLockoutThreshold: env.LOGIN_IP_LOCKOUT_THRESHOLD ?? 50,
    loginDelayAfter: env.LOGIN_DELAY_AFTER ?? 3,
    loginDelayBaseMs: env.LOGIN_DELAY_BASE_MS ?? 500,
    loginDelayMaxMs: env.LOGIN_DELAY_MAX_MS ?? 8000,
    passwordCheckConcurrency: env.LOGIN_HASH_CONCURRENCY ?? 4,
    passwordCheckQueue: env.LOGIN_HASH_QUEUE ?? 64,
  };
  c.token = {
    accessTtlSeconds: env.TOKEN_ACCESS_TTL ?? 3600,
    refreshTtlSeconds: env.TOKEN_REFRESH_TTL ?? 30 * 24 * 3600,
    idTokenTtlSeconds: env.TOKEN_ID_TTL ?? 3600,
    idTokenAlg: (env.TOKEN_ID_ALG as TokenConfig['idTokenAlg']) ?? 'RS256',
    authCodeTtlSeconds: env.AUTH_CODE_TTL ?? 60,
    clientAssertionAudience:
      (env.CLIENT_ASSERTION_AUDIENCE as TokenConfig['clientAssertionAudience']) ??
      'issuer-or-endpoint',
    clientAssertionMaxLifetimeSeconds: env.CLIENT_ASSERTION_MAX_LIFETIME ?? 300,
    dpopNonceRequired: env.DPOP_NONCE_REQUIRED ?? false,
  };
  c.rateLimits = {
    token: { limit: env.TOKEN_RATE_LIMIT ?? 20000, windowSeconds: env.TOKEN_RATE_WINDOW ?? 60 },
    authorize: {
      limit: env.AUTHORIZE_RATE_LIMIT ?? 300,
      windowSeconds: env.AUTHORIZE_RATE_WINDOW ?? 60,
    },
    login: { limit: env.LOGIN_RATE_LIMIT ?? 60, windowSeconds: env.LOGIN_RATE_WINDOW ?? 60 },
    introspect: {
      limit: env.INTROSPECT_RATE_LIMIT ?? 6000,
      windowSeconds: env.INTROSPECT_RATE_WINDOW ?? 60,
    },
  };
  c.internalApiKeys = parseInternalApiKeys(env.INTERNAL_API_KEYS);
  c.clientReaping = {
    suspendAfterDays: env.CLIENT_REAP_SUSPEND_AFTER_DAYS ?? 0,
    deleteAfterDays: env.CLIENT_REAP_DELETE_AFTER_DAYS ?? 0,
    intervalSeconds: env.CLIENT_REAP_INTERVAL ?? 3600,
  };
  c.keys = {
    alg: (env.KEYS_ALG as KeysConfig['alg']) ?? 'ES256',
    encryptionKey: env.KEYS_ENCRYPTION_KEY
      ? Buffer.from(env.KEYS_ENCRYPTION_KEY, 'base64')
      : undefined,
    publishAheadSeconds: env.KEYS_PUBLISH_AHEAD ?? 600,
  };
  c.jwksFetch = {
    allowPrivate: env.JWKS_URI_ALLOW_PRIVATE ?? false,
    timeoutMs: env.JWKS_URI_TIMEOUT_MS ?? 3000,
    maxBytes: env.JWKS_URI_MAX_BYTES ?? 64 * 1024,
    cacheTtlSeconds: env.JWKS_URI_CACHE_TTL ?? 300,
    fetchLimitPerMinute: env.JWKS_URI_FETCH_LIMIT ?? 5,
  };
  c.par = {
    requestUriTtlSeconds: env.PAR_REQUEST_URI_TTL ?? 60,
    required: env.REQUIRE_PUSHED_AUTHORIZATION_REQUESTS ?? false,
  };
  const hosts = (env.CLIENT_ID_METADATA_HOSTS ?? '*').trim();
  c.clientIdMetadata = {
    hosts:
      hosts === '*' || hosts === 'none'
        ? hosts
        : hosts
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean),
    allowPrivate: env.CLIENT_ID_METADATA_ALLOW_PRIVATE ?? false,
    timeoutMs: env.CLIENT_ID_METADATA_TIMEOUT_MS ?? 3000,
    maxBytes: env.CLIENT_ID_METADATA_MAX_BYTES ?? 5120,
    minTtlSeconds: env.CLIENT_ID_METADATA_MIN_TTL ?? 60,
    maxTtlSeconds: env.CLIENT_ID_METADATA_MAX_TTL ?? 86400,
  };
  if (c.clientIdMetadata.minTtlSeconds > c.clientIdMetadata.maxTtlSeconds) {
    throw new Error(
      'Invalid configuration: CLIENT_ID_METADATA_MIN_TTL must not exceed CLIENT_ID_METADATA_MAX_TTL',
    );
  }
  c.backchannelLogout = {
    allowPrivate: env.BACKCHANNEL_LOGOUT_ALLOW_PRIVATE ?? false,
    timeoutMs: env.BACKCHANNEL_LOGOUT_TIMEOUT_MS ?? 5000,
    maxAttempts: env.BACKCHANNEL_LOGOUT_MAX_ATTEMPTS ?? 3,
    retryDelayMs: env.BACKCHANNEL_LOGOUT_RETRY_DELAY_MS ?? 2000,
    waitMs: env.BACKCHANNEL_LOGOUT_WAIT_MS ?? 1000,
  };
  const unknownScopes = defaultScope.split(' ').filter((s) => !c.scopesSupported.includes(s));
  if (unknownScopes.length > 0) {
    throw new Error(
      `Invalid configuration: REGISTRATION_DEFAULT_SCOPE names unsupported scopes: ${unknownScopes.join(' ')}`,
    );
  }
  return c;
}
