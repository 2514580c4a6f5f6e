import { API_PREFIX } from './common/http/route-prefix.js';
import type { AppConfig } from './config/index.js';
import type { DatabaseModuleOptions } from './database/index.js';
import type { DiscoveryModuleOptions } from './discovery/index.js';
import type { KeysModuleOptions } from './keys/index.js';
import type { ObservabilityModuleOptions } from './observability/index.js';

// The options AuthMS gives its infrastructure modules, from the validated settings. Beside
// app.module.ts's `*OptionsFrom` (the feature modules) because the CLI composes these modules too
// (ADR 0021, ADR 0028).

/**
 * The options KeysModule (and KeyMaintenanceModule) get from the validated settings (`ISSUER`,
 * `KEYS_ALG`, `KEYS_ENCRYPTION_KEY`, `KEYS_PUBLISH_AHEAD`, `TOKEN_ID_ALG`, `TOKEN_ACCESS_TTL`, `TOKEN_ID_TTL`,
 * and `DB_TYPE` / `DB_SQLITE_PATH` for where a generated key-encryption key is kept).
 */
export function keysOptionsFrom(config: AppConfig): KeysModuleOptions {
  return {
    issuer: config.issuer,
    alg: config.keys.alg,
    idTokenAlg: config.token.idTokenAlg,
    // A retired key stays published until every token it signed has expired.
    longestTokenTtlSeconds: Math.max(config.token.accessTtlSeconds, config.token.idTokenTtlSeconds),
    publishAheadSeconds: config.keys.publishAheadSeconds,
    encryptionKey: config.keys.encryptionKey,
    storage: { type: config.database.type, sqlitePath: config.database.sqlitePath },
  };
}

/**
 * The options DiscoveryModule gets from the validated settings (`ISSUER`, `SCOPES_SUPPORTED`,
 * `TOKEN_ID_ALG`, `REGISTRATION_RESPONSE_STYLE`, `REQUIRE_PUSHED_AUTHORIZATION_REQUESTS`,
 * `CLIENT_ID_METADATA_HOSTS`).
 */
export function discoveryOptionsFrom(config: AppConfig): DiscoveryModuleOptions {
  return {
    issuer: config.issuer,
    routePrefix: API_PREFIX,
    scopesSupported: config.scopesSupported,
    idTokenAlg: config.token.idTokenAlg,
    registrationStyle: config.registration.responseStyle,
    requirePushedAuthorizationRequests: config.par.required,
    clientIdMetadataDocuments: config.clientIdMetadata.hosts !== 'none',
  };
}

/** The options DatabaseModule gets from the validated settings: every `DB_*` variable. */
export function databaseOptionsFrom(config: AppConfig): DatabaseModuleOptions {
  return { ...config.database };
}

/**
 * The options ObservabilityModule gets from the validated settings (`LOG_LEVEL`, `LOG_FORMAT`,
 * `NODE_ENV=development`, `METRICS_TOKEN`).
 */
export function observabilityOptionsFrom(config: AppConfig): ObservabilityModuleOptions {
  return {
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    development: config.nodeEnv === 'development',
    metricsToken: config.metricsToken,
    routePrefix: API_PREFIX,
  };
}
