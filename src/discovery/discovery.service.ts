import { Inject, Injectable } from '@nestjs/common';
import { REGISTRATION_PATHS } from '../client-registration/index.js';
import { PAR_PATH } from '../authorize/index.js';
import { KeyCacheService, SIGNING_ALGS } from '../keys/index.js';
import { CLAIMS_SUPPORTED } from './discovery.constants.js';
import {
  INTROSPECTION_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../common/oauth/client-auth-methods.js';
import { GRANT_TYPES } from '../common/oauth/grant-types.js';
import { CLIENT_ASSERTION_SIGNING_ALGS, DPOP_SIGNING_ALGS } from '../token/index.js';
import { DISCOVERY_SETTINGS } from './discovery.constants.js';
import type { DiscoverySettings } from './discovery.options.js';
import type { OpenIdProviderMetadata } from './dto/openid-provider-metadata.dto.js';

/**
 * Builds the server metadata document (RFC 8414 §2, OpenID Connect Discovery 1.0 §3) from the module's
 * options ({@link DiscoverySettings}): every URL is absolute and under the issuer, so a client that starts from the issuer
 * finds every endpoint, including `registration_endpoint` (RFC 7591).
 */
@Injectable()
export class DiscoveryService {
  constructor(
    @Inject(DISCOVERY_SETTINGS) private readonly settings: DiscoverySettings,
    private readonly keys: KeyCacheService,
  ) {}

  /** Absolute URL of a path under the API prefix, e.g. `apiUrl('/oauth/token')`. */
  private apiUrl(path: string): string {
    return `${this.settings.issuer}${this.settings.routePrefix}${path}`;
  }

  async metadata(): Promise<OpenIdProviderMetadata> {
    const c = this.settings;
    const assertionAlgs = [...CLIENT_ASSERTION_SIGNING_ALGS];
    // OIDC Discovery §3: every algorithm an ID token can be signed with, each with a key in the JWK Set
    // (created here on first use): `TOKEN_ID_ALG` (the default) first, then the others a client may
    // register as `id_token_signed_response_alg` (every algorithm the server signs with). RS256, which
    // that section requires, is always among them.
    const idTokenAlgs = [c.idTokenAlg, ...SIGNING_ALGS.filter((alg) => alg !== c.idTokenAlg)];
    for (const alg of idTokenAlgs) await this.keys.ensureSigningKey(alg);
    return {
      issuer: c.issuer,
      authorization_endpoint: this.apiUrl('/oauth/authorize'),
      token_endpoint: this.apiUrl('/oauth/token'),
      jwks_uri: `${c.issuer}/.well-known/jwks.json`,
      // RFC 8414 §2 / RFC 7591 §3: the standard flat endpoint by default, so every discovery-driven
      // client (OAuth libraries, MCP clients) registers; REGISTRATION_RESPONSE_STYLE=envelope advertises
      // the contract's path instead (docs/adr/0020).
      registration_endpoint:
        c.registrationStyle === 'flat'
          ? `${c.issuer}${REGISTRATION_PATHS.flat}`
          : this.apiUrl(REGISTRATION_PATHS.envelope),
      userinfo_endpoint: this.apiUrl('/oauth/userinfo'),
      revocation_endpoint: this.apiUrl('/oauth/revoke'),
      introspection_endpoint: this.apiUrl('/oauth/introspect'),
      scopes_supported: [...c.scopesSupported],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [...GRANT_TYPES],
      token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      revocation_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
      revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      introspection_endpoint_auth_methods_supported: [...INTROSPECTION_ENDPOINT_AUTH_METHODS],
      introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      // RFC 7636 §4.2: plain offers no protection against a leaked authorization request.
      code_challenge_methods_supported: ['S256'],
      // RFC 9449 §5.1: the algorithms accepted for DPoP proofs.
      dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
      // RFC 9207 §3: mix-up defence.
      authorization_response_iss_parameter_supported: true,
      // RFC 9126 §5 (docs/par.md).
      pushed_authorization_request_endpoint: this.apiUrl(PAR_PATH),
      require_pushed_authorization_requests: c.requirePushedAuthorizationRequests,
      // draft-ietf-oauth-client-id-metadata-document §6 (docs/client-id-metadata.md).
      client_id_metadata_document_supported: c.clientIdMetadataDocuments,
      service_documentation: `${c.issuer}/api/docs`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: idTokenAlgs,
      claims_supported: [...CLAIMS_SUPPORTED],
      claim_types_supported: ['normal'],
      request_parameter_supported: false,
      // OIDC Core §6.2 request objects by reference are never fetched; PAR's request_uri is not one.
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      // OIDC RP-Initiated Logout 1.0 §2.1 and Back-Channel Logout 1.0 §2.1 (docs/logout.md).
      end_session_endpoint: this.apiUrl('/oauth/logout'),
      frontchannel_logout_supported: false,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    };
  }
}
