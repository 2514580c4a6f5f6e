import type { EnvironmentVariables } from './env.validation.js';

/** Groups of settings, in the order docs/configuration.md lists them. */
export const ENV_GROUPS = [
  'Server',
  'Database',
  'Dynamic client registration',
  'Scopes and tokens',
  'Signing keys',
  'Authorization and login',
  'Sign-out',
  '`private_key_jwt` clients',
  'Internal API and idle clients',
  'Client ID Metadata Documents',
] as const;

/** One of {@link ENV_GROUPS}. */
export type EnvGroup = (typeof ENV_GROUPS)[number];

/** What the documentation says about one variable; what it accepts comes from the schema itself. */
export interface EnvVarDoc {
  /** Heading the variable is listed under. */
  group: EnvGroup;
  /** What it does and what to watch out for, in a sentence or two of Markdown. */
  description: string;
  /**
   * The value the server uses when the variable is unset, written as one would set it. A test checks
   * that setting it changes nothing in `loadConfig()`, so the documented default cannot drift. Omit it
   * when the default is derived or absent, and say what happens in {@link defaultText}.
   */
  default?: string;
  /** Shown instead of {@link default} when there is no literal default. Markdown. */
  defaultText?: string;
}

/**
 * The documentation of every variable of {@link EnvironmentVariables}. The key type makes the compiler
 * refuse a schema property without an entry (and an entry without a property); docs/configuration.md is
 * generated from this and the schema's validation rules by `npm run docs:config`, and
 * `env.docs.spec.ts` fails when the committed file differs. Whether a value is secret comes from
 * `SECRET_VARIABLES`, the list that also redacts it from error messages.
 */
export const ENV_DOCS: Record<keyof EnvironmentVariables, EnvVarDoc> = {
  NODE_ENV: {
    group: 'Server',
    description:
      '`production` refuses to start without `KEYS_ENCRYPTION_KEY` ([ADR 0010](adr/0010-stricter-security-defaults.md)), and so do MySQL/MariaDB unless `development`; the test harness sets `test`.',
    default: 'development',
  },
  PORT: { group: 'Server', description: 'TCP port the HTTP server listens on.', default: '3000' },
  HOST: { group: 'Server', description: 'Interface the HTTP server binds to.', default: '0.0.0.0' },
  ISSUER: {
    group: 'Server',
    description:
      'Issuer identifier (RFC 8414 §2): the public base URL, no trailing slash, query or fragment. The `iss` of every token and the base of `registration_client_uri` and of every discovery URL. Use https in production (it also makes the login cookies `Secure`).',
    defaultText: '`http://localhost:$PORT`',
  },
  TRUST_PROXY: {
    group: 'Server',
    description:
      'Proxies trusted for `X-Forwarded-For`, so rate limits see client IPs behind them: a hop count (`1`–`10`), or addresses, CIDR subnets and named ranges (`loopback`…), comma separated. `true` is refused ([security-settings.md](security-settings.md#client-ip-behind-proxies-trust_proxy)).',
    defaultText: '_(unset: no proxy, the peer address)_',
  },
  ALLOW_HTTP_ISSUER: {
    group: 'Server',
    description:
      'With `NODE_ENV=production` an `http:` issuer is refused at start-up; `true` allows one on a loopback host only (`localhost`, `127.0.0.1`, `[::1]`), for a TLS-terminating proxy on the same machine ([faults.md](faults.md#start-up)).',
    default: 'false',
  },
  SHUTDOWN_TIMEOUT_MS: {
    group: 'Server',
    description:
      "On SIGTERM/SIGINT the server stops accepting connections and waits this long for in-flight requests; what is still open then is cut and the process exits 1 instead of 0 ([faults.md](faults.md#graceful-shutdown)). Keep it below the orchestrator's grace period (Kubernetes: 30 s).",
    default: '10000',
  },
  BODY_LIMIT: {
    group: 'Server',
    description:
      'Largest accepted request body (a number of bytes, or with `kb` / `mb`); larger is `413`.',
    default: '64kb',
  },
  LOG_LEVEL: {
    group: 'Server',
    description: 'Nest log levels to print, comma separated (`error,warn,log,debug,verbose`).',
    default: 'log,warn,error',
  },
  LOG_FORMAT: {
    group: 'Server',
    description:
      'Log output: `json` (one JSON object per line, with a request id on every request line; for production) or `pretty` (human-readable, needs the devDependency `pino-pretty`). See [operations.md](operations.md#logs).',
    defaultText: '`pretty` when `NODE_ENV=development` and pino-pretty is installed, else `json`',
  },
  METRICS_TOKEN: {
    group: 'Server',
    description:
      'Bearer token that `GET /metrics` (Prometheus text) requires, at least 16 characters (`openssl rand -hex 32`). Unset: `/metrics` answers 404. See [operations.md](operations.md#metrics).',
    defaultText: '_(unset: no `/metrics`)_',
  },

  DB_TYPE: {
    group: 'Database',
    description:
      '`sqlite` (embedded file, no other service), `mysql` (MySQL through mysql2) or `mariadb` (MariaDB through mysql2, [ADR 0004](adr/0004-db-type-mariadb.md)). See [database.md](database.md).',
    default: 'sqlite',
  },
  DB_SQLITE_PATH: {
    group: 'Database',
    description: 'SQLite database file; its directory is created.',
    default: 'data/authms.sqlite',
  },
  DB_SQLITE_SYNCHRONOUS: {
    group: 'Database',
    description:
      'SQLite commit durability in WAL mode: `normal` (no fsync per commit; a process crash loses nothing, an OS crash or power cut may roll back the last commits) or `full` (an fsync per commit; several times slower writes). [ADR 0012](adr/0012-sqlite-synchronous-normal.md).',
    default: 'normal',
  },
  DB_HOST: { group: 'Database', description: 'MySQL / MariaDB server host.', default: '127.0.0.1' },
  DB_PORT: { group: 'Database', description: 'MySQL / MariaDB server port.', default: '3306' },
  DB_USER: { group: 'Database', description: 'MySQL / MariaDB user.', default: 'root' },
  DB_PASSWORD: {
    group: 'Database',
    description: 'MySQL / MariaDB password.',
    defaultText: '_(empty)_',
  },
  DB_NAME: {
    group: 'Database',
    description: 'MySQL / MariaDB database; create it first, with `utf8mb4`.',
    default: 'authms',
  },
  DB_POOL_SIZE: {
    group: 'Database',
    description: 'mysql2 connection pool size per instance.',
    default: '10',
  },
  DB_POOL_QUEUE_LIMIT: {
    group: 'Database',
    description:
      'Requests that may wait for a pooled MySQL/MariaDB connection; one more is answered `503 temporarily_unavailable` at once ([faults.md](faults.md#fail-fast)).',
    default: '100',
  },
  DB_ACQUIRE_TIMEOUT_MS: {
    group: 'Database',
    description:
      "Longest wait for a pooled MySQL/MariaDB connection, and for a new connection's handshake; then `503` with `Retry-After` ([faults.md](faults.md#fail-fast)).",
    default: '3000',
  },
  DB_QUERY_TIMEOUT_MS: {
    group: 'Database',
    description:
      'Longest a MySQL/MariaDB statement may take; then the request answers `503` and the connection is dropped, which rolls back its transaction ([faults.md](faults.md#fail-fast)). Migrations are exempt.',
    default: '5000',
  },
  DB_SQLITE_BUSY_TIMEOUT_MS: {
    group: 'Database',
    description:
      'How long an SQLite statement waits for a lock held by another process (`busy_timeout`) before the request answers `503`. better-sqlite3 waits synchronously, so keep it short ([faults.md](faults.md#fail-fast)).',
    default: '5000',
  },
  DB_CONNECT_RETRIES: {
    group: 'Database',
    description:
      'Start-up: MySQL/MariaDB connection attempts after the first, before the server exits 1 with `cannot reach the database at host:port` ([faults.md](faults.md#start-up)).',
    default: '5',
  },
  DB_CONNECT_RETRY_DELAY_MS: {
    group: 'Database',
    description:
      'Start-up: delay before the first connection retry; it doubles for each further retry, up to 30 s.',
    default: '500',
  },
  DB_MIGRATIONS_RUN: {
    group: 'Database',
    description:
      'Run pending migrations at start-up, under a database lock so that instances starting together run each once ([faults.md](faults.md#migration-lock)). `false` when `npm run migration:run` is a deployment step ([database.md](database.md#migrations)).',
    default: 'true',
  },
  DB_LOGGING: {
    group: 'Database',
    description: 'Log every SQL statement (development only).',
    default: 'false',
  },

  REGISTRATION_RESPONSE_STYLE: {
    group: 'Dynamic client registration',
    description:
      "Which registration endpoint discovery advertises as `registration_endpoint`: `flat` (`/connect/register`, plain RFC 7591/7592 bodies, what OAuth libraries and MCP clients expect) or `envelope` (the oauth-service contract's `/api/v1/oauth/register`). Both always answer ([ADR 0020](adr/0020-both-registration-styles-at-connect-register.md)).",
    default: 'flat',
  },
  REGISTRATION_RATE_LIMIT: {
    group: 'Dynamic client registration',
    description:
      'Registrations per client IP per window, counted in the database across instances; `0` = unlimited. Over the limit: `429 rate_limit_exceeded` with `Retry-After`.',
    default: '10',
  },
  REGISTRATION_RATE_WINDOW: {
    group: 'Dynamic client registration',
    description: 'Registration rate-limit window, seconds.',
    default: '3600',
  },
  REGISTRATION_INITIAL_ACCESS_TOKENS: {
    group: 'Dynamic client registration',
    description:
      'Comma-separated initial access tokens (RFC 7591 §3), at least 16 characters each; when set, registering needs `Authorization: Bearer` with one of them.',
    defaultText: '_(empty: open registration)_',
  },
  REGISTRATION_ROTATE_ACCESS_TOKEN: {
    group: 'Dynamic client registration',
    description:
      'Issue a new registration access token on every successful `PUT` (RFC 7592 §2.2); the old one stops working at once.',
    default: 'true',
  },
  REGISTRATION_SECRET_TTL: {
    group: 'Dynamic client registration',
    description:
      'Client secret lifetime, seconds (`client_secret_expires_at`); `0` = never expires.',
    default: '0',
  },
  CLIENT_SECRET_ROTATION_GRACE: {
    group: 'Dynamic client registration',
    description:
      'After a secret rotation (`POST /api/v1/admin/oauth/clients/{client_id}/rotate-secret`), how long the old secret keeps authenticating, seconds; `0` = it stops at once ([admin-secrets.md](admin-secrets.md)).',
    default: '14400',
  },
  REGISTRATION_ALLOW_HTTP_LOOPBACK: {
    group: 'Dynamic client registration',
    description:
      'Allow `http` redirect URIs on loopback hosts (`localhost`, `127.x.x.x`, `[::1]`) for `web` clients.',
    default: 'true',
  },
  REGISTRATION_ALLOWED_REDIRECT_HOSTS: {
    group: 'Dynamic client registration',
    description:
      'Space-separated hosts the `http`/`https` redirect URIs of self-registered clients (registered without an initial access token, also on `PUT` updates) may name: `app.example.com`, `*.example.com` (exactly one more label), `127.0.0.1`, `[::1]`. Others are `invalid_redirect_uri`. Narrows where error redirects can send a browser ([threat-model.md](threat-model.md)).',
    defaultText: '_(unset: any host)_',
  },
  REGISTRATION_DEFAULT_SCOPE: {
    group: 'Dynamic client registration',
    description:
      'Scope of a client that registers without one; every value must be in `SCOPES_SUPPORTED`.',
    defaultText: 'all of `SCOPES_SUPPORTED`',
  },

  SCOPES_SUPPORTED: {
    group: 'Scopes and tokens',
    description: 'Space-separated scopes the server offers (discovery `scopes_supported`).',
    default: 'openid profile email offline_access',
  },
  TOKEN_ACCESS_TTL: {
    group: 'Scopes and tokens',
    description: 'Access token lifetime, seconds.',
    default: '3600',
  },
  TOKEN_REFRESH_TTL: {
    group: 'Scopes and tokens',
    description: 'Refresh token lifetime, seconds (30 days).',
    default: '2592000',
  },
  TOKEN_ID_TTL: {
    group: 'Scopes and tokens',
    description: 'ID token lifetime, seconds.',
    default: '3600',
  },
  TOKEN_ID_ALG: {
    group: 'Scopes and tokens',
    description:
      'Algorithm of ID tokens for clients without `id_token_signed_response_alg`; discovery lists it first. RS256 is the one OIDC Discovery §3 requires every provider to offer. See [keys.md](keys.md).',
    default: 'RS256',
  },
  AUTH_CODE_TTL: {
    group: 'Scopes and tokens',
    description: 'Authorization code lifetime, seconds.',
    default: '60',
  },
  DPOP_NONCE_REQUIRED: {
    group: 'Scopes and tokens',
    description:
      'Require a server-provided nonce in every DPoP proof (RFC 9449 §8, §9): a proof without one is refused with `use_dpop_nonce` and the nonce to use in the `DPoP-Nonce` header. When false, proofs may omit it, but a nonce that is sent must be valid. Nonces live 5 to 10 minutes and are the same on every instance. See [dpop.md](dpop.md#server-nonces).',
    default: 'false',
  },
  RESOURCE_INDICATORS_ALLOWED: {
    group: 'Scopes and tokens',
    description:
      "Space-separated RFC 8707 resource indicators any client may request tokens for: absolute URIs matched exactly, or prefixes ending in `/`. A client's own allowed resources (`npm run client:resources`) replace it for that client ([security-settings.md](security-settings.md#resource-indicators-resource_indicators_allowed-and-per-client-resources)).",
    defaultText: '_(unset: any resource; a warning is logged in production)_',
  },
  TOKEN_RATE_LIMIT: {
    group: 'Scopes and tokens',
    description:
      'Token requests (`/oauth/token`, `/oauth/refresh`) per client_id and IP per window, counted in the database across instances; `0` = unlimited ([rate-limits.md](rate-limits.md)).',
    default: '20000',
  },
  TOKEN_RATE_WINDOW: {
    group: 'Scopes and tokens',
    description: 'Token rate-limit window, seconds.',
    default: '60',
  },
  INTROSPECT_RATE_LIMIT: {
    group: 'Scopes and tokens',
    description:
      'Introspection requests (`/oauth/introspect`) per client_id and IP per window, counted in the database across instances; `0` = unlimited. Generous because a resource server introspects on every call it serves ([rate-limits.md](rate-limits.md)).',
    default: '6000',
  },
  INTROSPECT_RATE_WINDOW: {
    group: 'Scopes and tokens',
    description: 'Introspection rate-limit window, seconds.',
    default: '60',
  },

  KEYS_ALG: {
    group: 'Signing keys',
    description:
      'Algorithm of JWT access tokens (RFC 9068); one active key per algorithm in use. See [keys.md](keys.md).',
    default: 'ES256',
  },
  KEYS_PUBLISH_AHEAD: {
    group: 'Signing keys',
    description:
      "Seconds a key staged by `keys:rotate` is published before it signs; at least 360 (the instances' key cache of 60 s plus the JWK Set `max-age` of 300 s). See [keys.md](keys.md#rotation).",
    default: '600',
  },
  KEYS_ENCRYPTION_KEY: {
    group: 'Signing keys',
    description:
      'Base64 of 32 random bytes (`openssl rand -base64 32`), the same on every instance; encrypts the private signing keys at rest. Required in production and with MySQL/MariaDB (unless `NODE_ENV=development`); see [security-settings.md](security-settings.md#private-signing-keys-at-rest-keys_encryption_key).',
    defaultText: '_(SQLite: a random key generated into `<DB_SQLITE_PATH>.keys-encryption-key`)_',
  },

  AUTHORIZE_RATE_LIMIT: {
    group: 'Authorization and login',
    description:
      'Authorization requests (`/oauth/authorize`) per client IP per window; `0` = unlimited ([rate-limits.md](rate-limits.md)).',
    default: '300',
  },
  AUTHORIZE_RATE_WINDOW: {
    group: 'Authorization and login',
    description: 'Authorization rate-limit window, seconds.',
    default: '60',
  },
  AUTHORIZE_UNTRUSTED_ERROR_PAGE: {
    group: 'Authorization and login',
    description:
      '`true`: for self-registered clients, errors of `/oauth/authorize` that happen before sign-in are shown on an error page with a plain link to the client instead of a redirect (RFC 9700 §4.11.2); breaks `prompt=none` error redirects for those clients ([threat-model.md](threat-model.md)).',
    default: 'false',
  },
  AUTHORIZE_REQUEST_MAX_BYTES: {
    group: 'Authorization and login',
    description:
      'Largest size in bytes of what a client chooses in an authorization request that is kept while the user signs in (`state`, `nonce`, `redirect_uri`, `resource`, `scope`, `login_hint`); larger is `invalid_request` ([security-settings.md](security-settings.md)).',
    default: '8192',
  },
  AUTHORIZE_PENDING_PER_IP: {
    group: 'Authorization and login',
    description:
      'Authorization requests kept for the login and consent steps per client IP per 10 minutes (their lifetime), counted in the database across instances; beyond, `429 rate_limit_exceeded` on an error page. `0` = unlimited.',
    default: '60',
  },
  LOGIN_RATE_LIMIT: {
    group: 'Authorization and login',
    description:
      'Sign-in attempts (`POST /oauth/login`) per client IP per window; `0` = unlimited ([rate-limits.md](rate-limits.md)).',
    default: '60',
  },
  LOGIN_RATE_WINDOW: {
    group: 'Authorization and login',
    description: 'Sign-in rate-limit window, seconds.',
    default: '60',
  },
  LOGIN_LOCKOUT_THRESHOLD: {
    group: 'Authorization and login',
    description:
      'Failed sign-ins per username within `LOGIN_LOCKOUT_WINDOW` that lock the username until the window ends (generic message, no password check); 0 = never locked. See [security-settings.md](security-settings.md#login-throttling).',
    default: '10',
  },
  LOGIN_LOCKOUT_WINDOW: {
    group: 'Authorization and login',
    description:
      'Window in which failed sign-ins are counted, seconds; a lockout lasts until it ends. See [security-settings.md](security-settings.md#login-throttling).',
    default: '900',
  },
  LOGIN_IP_LOCKOUT_THRESHOLD: {
    group: 'Authorization and login',
    description:
      'Failed sign-ins per client IP (any username) within the window that lock that IP; 0 = never. See [security-settings.md](security-settings.md#login-throttling).',
    default: '50',
  },
  LOGIN_DELAY_AFTER: {
    group: 'Authorization and login',
    description:
      'Failed sign-ins of a username after which every attempt waits a growing delay. See [security-settings.md](security-settings.md#login-throttling).',
    default: '3',
  },
  LOGIN_DELAY_BASE_MS: {
    group: 'Authorization and login',
    description:
      'First delay, milliseconds, doubled with each further failure; 0 = no delays. See [security-settings.md](security-settings.md#login-throttling).',
    default: '500',
  },
  LOGIN_DELAY_MAX_MS: {
    group: 'Authorization and login',
    description:
      'Longest delay, milliseconds. See [security-settings.md](security-settings.md#login-throttling).',
    default: '8000',
  },
  LOGIN_HASH_CONCURRENCY: {
    group: 'Authorization and login',
    description:
      'Password checks (argon2) running at once on this instance. See [security-settings.md](security-settings.md#login-throttling).',
    default: '4',
  },
  LOGIN_HASH_QUEUE: {
    group: 'Authorization and login',
    description:
      'Password checks that may wait for a slot; beyond, 503 `temporarily_unavailable`. See [security-settings.md](security-settings.md#login-throttling).',
    default: '64',
  },
  PAR_REQUEST_URI_TTL: {
    group: 'Authorization and login',
    description:
      'Lifetime of a pushed authorization request (RFC 9126 `expires_in`), seconds; its `request_uri` is redeemed once at `/oauth/authorize` ([par.md](par.md)).',
    default: '60',
  },
  REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: {
    group: 'Authorization and login',
    description:
      'Refuse authorization requests that were not pushed to `/api/v1/oauth/pushed-authorization` first, for every client (RFC 9126 §5); a client can also require it for itself with the `require_pushed_authorization_requests` metadata.',
    default: 'false',
  },
  SESSION_TTL: {
    group: 'Authorization and login',
    description: 'Login session lifetime, seconds (8 h).',
    default: '28800',
  },

  CLIENT_ASSERTION_AUDIENCE: {
    group: '`private_key_jwt` clients',
    description:
      'Accepted `aud` of client assertions (RFC 7523 §3): `issuer-or-endpoint` (the issuer, the token endpoint URL or the URL of the endpoint called) or `issuer` (the issuer only). An array `aud` is refused either way.',
    default: 'issuer-or-endpoint',
  },
  CLIENT_ASSERTION_MAX_LIFETIME: {
    group: '`private_key_jwt` clients',
    description: 'Longest accepted client assertion lifetime, seconds from now to its `exp`.',
    default: '300',
  },
  JWKS_URI_ALLOW_PRIVATE: {
    group: '`private_key_jwt` clients',
    description:
      'Allow loopback and private addresses, and plain http (tests and internal networks only: SSRF).',
    default: 'false',
  },
  JWKS_URI_TIMEOUT_MS: {
    group: '`private_key_jwt` clients',
    description: 'Fetch timeout, milliseconds.',
    default: '3000',
  },
  JWKS_URI_MAX_BYTES: {
    group: '`private_key_jwt` clients',
    description: 'Largest accepted JWK Set, bytes.',
    default: '65536',
  },
  JWKS_URI_FETCH_LIMIT: {
    group: '`private_key_jwt` clients',
    description:
      'Outbound `jwks_uri` fetches each client may cause per minute, counted across instances; `0` = unlimited.',
    default: '5',
  },
  JWKS_URI_CACHE_TTL: {
    group: '`private_key_jwt` clients',
    description:
      'Cache lifetime, seconds (refetched early when an assertion names an unknown `kid`).',
    default: '300',
  },

  BACKCHANNEL_LOGOUT_ALLOW_PRIVATE: {
    group: 'Sign-out',
    description:
      'Allow logout token deliveries to loopback and private addresses, and plain http (tests and internal networks only: SSRF). See [logout.md](logout.md).',
    default: 'false',
  },
  BACKCHANNEL_LOGOUT_TIMEOUT_MS: {
    group: 'Sign-out',
    description: 'Timeout of one logout token POST to a `backchannel_logout_uri`, milliseconds.',
    default: '5000',
  },
  BACKCHANNEL_LOGOUT_MAX_ATTEMPTS: {
    group: 'Sign-out',
    description:
      'Attempts per logout token delivery, the first included (1-10); 5xx, 429, network errors and timeouts are retried.',
    default: '3',
  },
  BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: {
    group: 'Sign-out',
    description: 'Delay before the first retry, milliseconds; doubled for each next one.',
    default: '2000',
  },
  BACKCHANNEL_LOGOUT_WAIT_MS: {
    group: 'Sign-out',
    description:
      'Longest time the sign-out response waits for the first delivery attempts, milliseconds (0-10000); deliveries continue in the background.',
    default: '1000',
  },
  INTERNAL_API_KEYS: {
    group: 'Internal API and idle clients',
    description:
      'Keys of the service-to-service API under `/api/v1/internal/oauth/` (header `X-API-Key`): comma-separated `id:key` entries (the id names the caller in the audit trail) or bare keys (id `key-` + 8 hex digits of its SHA-256), each key at least 32 characters without `:` or whitespace. Kept in memory only as SHA-256 hashes and compared in constant time. Unset: the internal routes answer 404 ([internal-api.md](internal-api.md#internal-api)).',
    defaultText: '_(unset: internal API off)_',
  },

  CLIENT_ID_METADATA_HOSTS: {
    group: 'Client ID Metadata Documents',
    description:
      'Which https `client_id` URLs are resolved by fetching their metadata document: `*` (any public host), `none` (off: such client_ids are unknown), or a comma-separated list of host names (`*.example.com` matches sub-domains). See [client-id-metadata.md](client-id-metadata.md).',
    default: '*',
  },
  CLIENT_ID_METADATA_ALLOW_PRIVATE: {
    group: 'Client ID Metadata Documents',
    description:
      'Tests only: allow documents on loopback and private addresses, and over plain http (SSRF otherwise).',
    default: 'false',
  },
  CLIENT_ID_METADATA_TIMEOUT_MS: {
    group: 'Client ID Metadata Documents',
    description: 'Fetch timeout, milliseconds.',
    default: '3000',
  },
  CLIENT_ID_METADATA_MAX_BYTES: {
    group: 'Client ID Metadata Documents',
    description: 'Largest accepted document, bytes (the draft suggests 5 KB).',
    default: '5120',
  },
  CLIENT_ID_METADATA_MIN_TTL: {
    group: 'Client ID Metadata Documents',
    description:
      'Shortest time a fetched document is used before it is fetched again, seconds, even when its `Cache-Control` says less (or `no-store`).',
    default: '60',
  },
  CLIENT_ID_METADATA_MAX_TTL: {
    group: 'Client ID Metadata Documents',
    description:
      'Longest time a fetched document is used, seconds, even when its `Cache-Control` says more.',
    default: '86400',
  },

  CLIENT_REAP_SUSPEND_AFTER_DAYS: {
    group: 'Internal API and idle clients',
    description:
      'Suspend dynamically registered clients that obtained no token (or, never having obtained one, were registered) this many days ago; `0` = never. Admin-, CLI- and internal-API-created clients are never reaped ([internal-api.md](internal-api.md#idle-client-reaping)).',
    default: '0',
  },
  CLIENT_REAP_DELETE_AFTER_DAYS: {
    group: 'Internal API and idle clients',
    description:
      'Delete (soft delete, tokens revoked) dynamically registered clients idle this many days; `0` = never. Must exceed `CLIENT_REAP_SUSPEND_AFTER_DAYS` when both are set.',
    default: '0',
  },
  CLIENT_REAP_INTERVAL: {
    group: 'Internal API and idle clients',
    description:
      'Seconds between two reaping runs of one instance (at least 60). Several instances are safe: each change is one conditional UPDATE.',
    default: '3600',
  },
};
