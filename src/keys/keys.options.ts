import type { SigningAlg } from './jwt.js';

/**
 * Where the signing keys are stored, as far as the key-encryption key depends on it (when no
 * `encryptionKey` is given): SQLite keeps a generated key in a 0600 file beside its database file, an
 * in-memory SQLite database gets a random key for the process, MySQL/MariaDB the development key.
 */
export interface KeyStorage {
  type: 'sqlite' | 'mysql' | 'mariadb';
  /** The SQLite database file, or `:memory:`. Ignored for MySQL/MariaDB. */
  sqlitePath?: string;
}

/**
 * Options of `KeysModule.forRoot()` / `forRootAsync()` and `KeyMaintenanceModule.forRootAsync()`. The
 * module reads nothing else: no environment, no application settings. Every option is optional; an
 * omitted one takes the default stated here, listed in {@link KEYS_DEFAULTS}.
 */
export interface KeysModuleOptions {
  /**
   * The issuer (RFC 8414 §2): the `iss` every JWT of this server must carry to verify (RFC 7519
   * §4.1.1). Default: `http://localhost:3000`.
   */
  issuer?: string;
  /** Algorithm of JWTs signed without an explicit one: access tokens (RFC 9068 §2.1). Default: `ES256`. */
  alg?: SigningAlg;
  /**
   * Algorithm of ID tokens of clients that registered none (OIDC Core §2): its key is created first,
   * with `alg`'s, before the JWK Set is published. Default: `RS256`.
   */
  idTokenAlg?: SigningAlg;
  /**
   * The longest lifetime of a token signed with these keys, seconds: a retired key stays published this
   * long (plus the key cache period and clock tolerance) so every token it signed verifies until it
   * expires. Default: `3600`.
   */
  longestTokenTtlSeconds?: number;
  /**
   * Seconds a staged key is published before it signs (docs/keys.md); at least the longest JWK Set cache
   * lifetime (`LONGEST_JWKS_CACHE_SECONDS`, 360). Default: `600`.
   */
  publishAheadSeconds?: number;
  /**
   * The 32-byte key that encrypts private signing keys at rest (AES-256-GCM). Default: none — then
   * chosen by `storage` (ADR 0080).
   */
  encryptionKey?: Buffer;
  /** Where the keys are stored (see {@link KeyStorage}). Default: `{ type: 'sqlite', sqlitePath: 'data/authms.sqlite' }`. */
  storage?: KeyStorage;
}

/** The defaults of {@link KeysModuleOptions} (`encryptionKey`: none). */
export const KEYS_DEFAULTS = {
  issuer: 'http://localhost:3000',
  alg: 'ES256',
  idTokenAlg: 'RS256',
  longestTokenTtlSeconds: 3600,
  publishAheadSeconds: 600,
  storage: { type: 'sqlite', sqlitePath: 'data/authms.sqlite' },
} as const satisfies Omit<Required<KeysModuleOptions>, 'encryptionKey'>;

/** The module's effective settings: the options over their defaults. */
export interface KeysSettings {
  issuer: string;
  alg: SigningAlg;
  idTokenAlg: SigningAlg;
  longestTokenTtlSeconds: number;
  publishAheadSeconds: number;
  encryptionKey: Buffer | undefined;
  storage: { type: KeyStorage['type']; sqlitePath: string };
}

/** Applies the defaults of {@link KEYS_DEFAULTS}; throws on a value the module cannot work with. */
export function resolveKeysSettings(options: KeysModuleOptions = {}): KeysSettings {
  const settings: KeysSettings = {
    issuer: options.issuer ?? KEYS_DEFAULTS.issuer,
    alg: options.alg ?? KEYS_DEFAULTS.alg,
    idTokenAlg: options.idTokenAlg ?? KEYS_DEFAULTS.idTokenAlg,
    longestTokenTtlSeconds: options.longestTokenTtlSeconds ?? KEYS_DEFAULTS.longestTokenTtlSeconds,
    publishAheadSeconds: options.publishAheadSeconds ?? KEYS_DEFAULTS.publishAheadSeconds,
    encryptionKey: options.encryptionKey,
    storage: {
      type: options.storage?.type ?? KEYS_DEFAULTS.storage.type,
      sqlitePath: options.storage?.sqlitePath ?? KEYS_DEFAULTS.storage.sqlitePath,
    },
  };
  if (settings.encryptionKey !== undefined && settings.encryptionKey.length !== 32) {
    throw new Error('KeysModule option encryptionKey must be 32 bytes');
  }
  return settings;
}
