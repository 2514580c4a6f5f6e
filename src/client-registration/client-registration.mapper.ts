import type { ClientRegistrationResponse } from './dto/client-registration-response.dto.js';
import type { ClientInformation } from './client-registration.service.js';

/**
 * Maps client information to the wire shape of RFC 7591 §3.2.1 / RFC 7592 §3: every registered field
 * with its defaults, unset optional fields omitted (never `null` or `""`), the secret only when issued.
 */
export function toClientRegistrationResponse(
  info: ClientInformation,
  registrationClientUri: string,
  opts: { logoutMetadata?: boolean } = {},
): ClientRegistrationResponse {
  const out: ClientRegistrationResponse = {
    client_id: info.clientId,
    client_id_issued_at: info.clientIdIssuedAt,
    client_secret_expires_at: info.clientSecretExpiresAt,
    registration_access_token: info.registrationAccessToken,
    registration_client_uri: registrationClientUri,
    application_type: info.applicationType,
    redirect_uris: info.redirectUris,
    grant_types: info.grantTypes,
    response_types: info.responseTypes,
    token_endpoint_auth_method: info.tokenEndpointAuthMethod,
    scope: info.scope,
  };
  if (info.clientSecret !== undefined) out.client_secret = info.clientSecret;
  if (info.clientName !== null) out.client_name = info.clientName;
  if (info.clientUri !== null) out.client_uri = info.clientUri;
  if (info.logoUri !== null) out.logo_uri = info.logoUri;
  if (info.policyUri !== null) out.policy_uri = info.policyUri;
  if (info.tosUri !== null) out.tos_uri = info.tosUri;
  if (info.contacts !== null) out.contacts = info.contacts;
  if (info.jwks !== null) out.jwks = info.jwks as unknown as Record<string, unknown>;
  if (info.jwksUri !== null) out.jwks_uri = info.jwksUri;
  if (info.softwareId !== null) out.software_id = info.softwareId;
  if (info.softwareVersion !== null) out.software_version = info.softwareVersion;
  if (info.idTokenSignedResponseAlg !== null) {
    out.id_token_signed_response_alg = info.idTokenSignedResponseAlg;
  }
  // RFC 9126 §6: echoed only when set, like the other optional fields.
  if (info.requirePushedAuthorizationRequests) out.require_pushed_authorization_requests = true;
  // RFC 9449 §5.2: likewise.
  if (info.dpopBoundAccessTokens) out.dpop_bound_access_tokens = true;
  // The logout metadata is echoed in the flat style only: the contract's envelope schema has no such
  // fields (docs/adr/0105).
  if (opts.logoutMetadata) {
    if (info.postLogoutRedirectUris !== null) {
      out.post_logout_redirect_uris = info.postLogoutRedirectUris;
    }
    if (info.backchannelLogoutUri !== null) {
      out.backchannel_logout_uri = info.backchannelLogoutUri;
      out.backchannel_logout_session_required = info.backchannelLogoutSessionRequired;
    }
  }
  return out;
}
