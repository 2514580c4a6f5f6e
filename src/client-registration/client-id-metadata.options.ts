import type { MetadataRules } from './client-metadata.validator.js';

/** Injection token of the resolved {@link ClientIdMetadataSettings}; absent: the feature is off. */
export const CLIENT_ID_METADATA_SETTINGS = Symbol('CLIENT_ID_METADATA_SETTINGS');

/**
 * Options of Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), given to
 * `ClientIdMetadataModule.forRoot(...)`. Every member is optional; the defaults are
 * {@link CLIENT_ID_METADATA_DEFAULTS}.
 */
export interface ClientIdMetadataOptions {
  /**
   * Hosts whose https URLs are resolved as client_ids: `'*'` any public host, `'none'` off, or host
   * patterns (`app.example.com`, `*.example.com`, optionally with `:port`).
   */
  hosts?: '*' | 'none' | string[];
  /** Tests only: loopback and private targets, and plain http. */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  /** Bounds of the cache lifetime taken from the document's `Cache-Control` / `Expires`, seconds. */
  minTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** The registration rules the documents are validated with (the same as registration's). */
  rules?: Partial<MetadataRules>;
}

/** The defaults of {@link ClientIdMetadataOptions}. */
export const CLIENT_ID_METADATA_DEFAULTS = {
  hosts: '*',
  allowPrivate: false,
  timeoutMs: 3000,
  maxBytes: 5120,
  minTtlSeconds: 60,
  maxTtlSeconds: 86400,
  rules: {
    scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
    defaultScope: 'openid profile email offline_access',
    allowHttpLoopback: true,
  },
} as const;

/** The effective settings. */
export interface ClientIdMetadataSettings {
  hosts: '*' | 'none' | string[];
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  minTtlSeconds: number;
  maxTtlSeconds: number;
  rules: MetadataRules;
}

/** Applies the defaults and refuses values that cannot work. */
export function resolveClientIdMetadataSettings(
  o: ClientIdMetadataOptions = {},
): ClientIdMetadataSettings {
  const d = CLIENT_ID_METADATA_DEFAULTS;
  const s: ClientIdMetadataSettings = {
    hosts: o.hosts ?? d.hosts,
    allowPrivate: o.allowPrivate ?? d.allowPrivate,
    timeoutMs: o.timeoutMs ?? d.timeoutMs,
    maxBytes: o.maxBytes ?? d.maxBytes,
    minTtlSeconds: o.minTtlSeconds ?? d.minTtlSeconds,
    maxTtlSeconds: o.maxTtlSeconds ?? d.maxTtlSeconds,
    rules: {
      scopesSupported: o.rules?.scopesSupported ?? [...d.rules.scopesSupported],
      defaultScope: o.rules?.defaultScope ?? d.rules.defaultScope,
      allowHttpLoopback: o.rules?.allowHttpLoopback ?? d.rules.allowHttpLoopback,
    },
  };
  if (s.minTtlSeconds < 0 || s.maxTtlSeconds < 1 || s.minTtlSeconds > s.maxTtlSeconds) {
    throw new Error(
      'Invalid ClientIdMetadataModule options: 0 <= minTtlSeconds <= maxTtlSeconds, maxTtlSeconds >= 1',
    );
  }
  return s;
}
