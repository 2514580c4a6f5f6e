import { TOKEN_ENDPOINT_AUTH_METHODS } from '../../common/oauth/client-auth-methods.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import {
  IsStringOrObject,
  OptionalString,
  OptionalStringArray,
} from '../../common/validation/metadata-decorators.js';
import { ID_TOKEN_SIGNING_ALGS, METADATA_LIMITS } from '../client-metadata.validator.js';

const URI = METADATA_LIMITS.uriLength;
const TEXT = METADATA_LIMITS.textLength;

/**
 * The client metadata fields shared by registration and update requests (RFC 7591 §2, OpenID Connect
 * Dynamic Registration §2). Here: types and sizes. Cross-field rules and defaults live in
 * `client-metadata.validator.ts`. Fields that are not declared are dropped (`whitelist`), never rejected.
 */
export abstract class ClientMetadataFields {
  @OptionalString(16, {
    description:
      'Application type (OpenID Connect Registration §2): `web` (default) or `native` (RFC 8252)',
    example: 'web',
    enum: ['web', 'native'],
  })
  application_type?: string;

  @OptionalString(TEXT, { description: 'Client name', example: 'My Application' })
  client_name?: string;

  @OptionalString(URI, {
    description: 'Client home page URL',
    example: 'https://app.example.com',
    format: 'uri',
  })
  client_uri?: string;

  @OptionalStringArray(METADATA_LIMITS.contacts, METADATA_LIMITS.contactLength, {
    description: 'Contacts (e-mail addresses of people responsible for the client)',
    example: ['admin@example.com'],
  })
  contacts?: string[];

  @OptionalStringArray(10, 64, {
    description:
      'Grant types: `authorization_code` (default), `refresh_token`, `client_credentials` (RFC 7591 §2). ' +
      '`implicit` is not offered: it is left out of what is registered when another grant remains ' +
      '(RFC 7591 §3.2.1).',
    example: ['authorization_code', 'refresh_token'],
  })
  grant_types?: string[];

  @OptionalStringArray(10, 64, {
    description:
      'Response types: only `code` (default for the authorization_code grant; RFC 9700). Implicit and ' +
      'hybrid ones (`id_token`, `token`, `code id_token`…) are left out of what is registered when ' +
      '`code` remains (RFC 7591 §3.2.1).',
    example: ['code'],
  })
  response_types?: string[];

  @IsOptional()
  @IsStringOrObject()
  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object' }],
    description:
      "JWKS document: the client's public JWK Set (RFC 7517 §5), as a JSON object or a string holding " +
      'one; public keys only, at most 20. Not together with `jwks_uri`.',
    example: '{"keys":[{"kty":"EC","crv":"P-256","x":"…","y":"…","kid":"k1"}]}',
  })
  jwks?: string | Record<string, unknown>;

  @OptionalString(16, {
    description:
      'JWS algorithm of the ID tokens issued to this client (OpenID Connect Registration §2): `RS256` or ' +
      '`ES256`. Default: the server setting (`TOKEN_ID_ALG`, RS256 unless configured otherwise).',
    example: 'ES256',
    enum: [...ID_TOKEN_SIGNING_ALGS],
  })
  id_token_signed_response_alg?: string;

  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({
    type: Boolean,
    description:
      "RFC 9126 §6: when true, this client's authorization requests are refused unless they were pushed " +
      'to the pushed authorization request endpoint first. Default false.',
    example: false,
  })
  require_pushed_authorization_requests?: boolean;

  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({
    type: Boolean,
    description:
      'RFC 9449 §5.2: when true, this client always uses DPoP: its token requests without a DPoP proof ' +
      'are refused (400 invalid_dpop_proof). Default false.',
    example: false,
  })
  dpop_bound_access_tokens?: boolean;

  @OptionalString(URI, {
    description: "JWKS URI: https URL of the client's JWK Set. Not together with `jwks`.",
    example: 'https://app.example.com/jwks.json',
    format: 'uri',
  })
  jwks_uri?: string;

  @OptionalString(URI, {
    description: 'Logo URL',
    example: 'https://app.example.com/logo.png',
    format: 'uri',
  })
  logo_uri?: string;

  @OptionalString(URI, {
    description: 'Privacy policy URL',
    example: 'https://app.example.com/privacy',
    format: 'uri',
  })
  policy_uri?: string;

  @OptionalString(METADATA_LIMITS.scopeLength, {
    description:
      'Scopes: space-separated, from the scopes the server offers (default: the server default)',
    example: 'openid profile email',
  })
  scope?: string;

  @OptionalStringArray(METADATA_LIMITS.redirectUris, URI, {
    description:
      'Where the browser may be sent after sign-out (OpenID Connect RP-Initiated Logout 1.0 §3.1): ' +
      'absolute URIs under the same rules as `redirect_uris`, matched exactly. Echoed in the flat ' +
      'style only (docs/adr/0105).',
    example: ['https://app.example.com/signed-out'],
  })
  post_logout_redirect_uris?: string[];

  @OptionalString(URI, {
    description:
      'Where logout tokens are POSTed when a session of the user ends (OpenID Connect Back-Channel ' +
      'Logout 1.0 §2.2): https (http on loopback only where allowed), no fragment. Echoed in the flat ' +
      'style only (docs/adr/0105).',
    example: 'https://app.example.com/backchannel-logout',
    format: 'uri',
  })
  backchannel_logout_uri?: string;

  @IsOptional()
  @IsBoolean({ message: '$property must be a boolean' })
  @ApiPropertyOptional({
    type: 'boolean',
    description:
      'Whether logout tokens must carry `sid` (OpenID Connect Back-Channel Logout 1.0 §2.2); default ' +
      'false. Echoed in the flat style only (docs/adr/0105).',
    example: true,
  })
  backchannel_logout_session_required?: boolean;

  @OptionalString(TEXT, { description: 'Software ID', example: 'my-app-v1' })
  software_id?: string;

  @OptionalString(TEXT, { description: 'Software version', example: '1.0.0' })
  software_version?: string;

  @OptionalString(32, {
    description:
      'Token endpoint authentication method: `client_secret_basic` (default), `client_secret_post`, ' +
      '`private_key_jwt` (needs `jwks` or `jwks_uri`) or `none` (public client)',
    example: 'client_secret_basic',
    enum: [...TOKEN_ENDPOINT_AUTH_METHODS],
  })
  token_endpoint_auth_method?: string;

  @OptionalString(URI, {
    description: 'Terms of service URL',
    example: 'https://app.example.com/tos',
    format: 'uri',
  })
  tos_uri?: string;
}
