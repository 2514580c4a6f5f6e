import type { SigningAlg } from '../keys/index.js';

/**
 * Options of `DiscoveryModule.forRoot()` / `forRootAsync()`: what the metadata documents (RFC 8414 §2,
 * OpenID Connect Discovery 1.0 §3) advertise. The module reads nothing else: no environment, no
 * application settings. Every option is optional; an omitted one takes the default stated here, listed
 * in {@link DISCOVERY_DEFAULTS}.
 */
export interface DiscoveryModuleOptions {
  /** The issuer (RFC 8414 §2), without a trailing slash; every URL is under it. Default: `http://localhost:3000`. */
  issuer?: string;
  /** The global route prefix of the API endpoints (e.g. `/api/v1`). Default: `''`. */
  routePrefix?: string;
  /** `scopes_supported`. Default: `['openid', 'profile', 'email', 'offline_access']`. */
  scopesSupported?: string[];
  /**
   * The ID token algorithm of clients that registered none, listed first in
   * `id_token_signing_alg_values_supported` (the other signing algorithms follow). Default: `RS256`.
   */
  idTokenAlg?: SigningAlg;
  /**
   * Which registration endpoint `registration_endpoint` names (RFC 7591 §3): `flat`, the standard
   * `/connect/register`, or `envelope`, the contract's path under `routePrefix` (ADR 0020). Default: `flat`.
   */
  registrationStyle?: 'flat' | 'envelope';
  /** `require_pushed_authorization_requests` (RFC 9126 §5). Default: `false`. */
  requirePushedAuthorizationRequests?: boolean;
  /** `client_id_metadata_document_supported` (URL client_ids are resolved). Default: `false`. */
  clientIdMetadataDocuments?: boolean;
}

/** The defaults of {@link DiscoveryModuleOptions}. */
export const DISCOVERY_DEFAULTS = {
  issuer: 'http://localhost:3000',
  routePrefix: '',
  scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
  idTokenAlg: 'RS256',
  registrationStyle: 'flat',
  requirePushedAuthorizationRequests: false,
  clientIdMetadataDocuments: false,
} as const satisfies Required<DiscoveryModuleOptions>;

/** The module's effective settings: the options over their defaults. */
export interface DiscoverySettings {
  issuer: string;
  routePrefix: string;
  scopesSupported: string[];
  idTokenAlg: SigningAlg;
  registrationStyle: 'flat' | 'envelope';
  requirePushedAuthorizationRequests: boolean;
  clientIdMetadataDocuments: boolean;
}

/** Applies {@link DISCOVERY_DEFAULTS} to the omitted options. */
export function resolveDiscoverySettings(options: DiscoveryModuleOptions = {}): DiscoverySettings {
  return {
    issuer: (options.issuer ?? DISCOVERY_DEFAULTS.issuer).replace(/\/+$/, ''),
    routePrefix: options.routePrefix ?? DISCOVERY_DEFAULTS.routePrefix,
    scopesSupported: [...(options.scopesSupported ?? DISCOVERY_DEFAULTS.scopesSupported)],
    idTokenAlg: options.idTokenAlg ?? DISCOVERY_DEFAULTS.idTokenAlg,
    registrationStyle: options.registrationStyle ?? DISCOVERY_DEFAULTS.registrationStyle,
    requirePushedAuthorizationRequests:
      options.requirePushedAuthorizationRequests ??
      DISCOVERY_DEFAULTS.requirePushedAuthorizationRequests,
    clientIdMetadataDocuments:
      options.clientIdMetadataDocuments ?? DISCOVERY_DEFAULTS.clientIdMetadataDocuments,
  };
}
