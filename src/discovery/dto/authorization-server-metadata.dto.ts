import {
  INTROSPECTION_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../../common/oauth/client-auth-methods.js';
import { GRANT_TYPES } from '../../common/oauth/grant-types.js';
import { ApiProperty } from '@nestjs/swagger';

const uri = (description: string, example: string) =>
  ApiProperty({ description, format: 'uri', example });

/** OAuth 2.0 Authorization Server Metadata (RFC 8414 §2), plus RFC 7009, RFC 7662, RFC 9207 fields. */
export class AuthorizationServerMetadata {
  @uri(
    'Issuer identifier (RFC 8414 §2); equals the `iss` of every token',
    'https://auth.example.com',
  )
  issuer!: string;

  @uri('Authorization endpoint (RFC 6749 §3.1)', 'https://auth.example.com/api/v1/oauth/authorize')
  authorization_endpoint!: string;

  @uri('Token endpoint (RFC 6749 §3.2)', 'https://auth.example.com/api/v1/oauth/token')
  token_endpoint!: string;

  @uri(
    'JWK Set with the keys that sign tokens (RFC 7517)',
    'https://auth.example.com/.well-known/jwks.json',
  )
  jwks_uri!: string;

  @uri(
    'Dynamic Client Registration endpoint (RFC 7591 §3)',
    'https://auth.example.com/api/v1/oauth/register',
  )
  registration_endpoint!: string;

  @ApiProperty({ type: [String], example: ['openid', 'profile', 'email', 'offline_access'] })
  scopes_supported!: string[];

  @ApiProperty({ type: [String], example: ['code'] })
  response_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['query'] })
  response_modes_supported!: string[];

  @ApiProperty({
    type: [String],
    example: [...GRANT_TYPES],
  })
  grant_types_supported!: string[];

  @ApiProperty({
    type: [String],
    example: [...TOKEN_ENDPOINT_AUTH_METHODS],
  })
  token_endpoint_auth_methods_supported!: string[];

  @ApiProperty({
    type: [String],
    description: 'Algorithms accepted for `private_key_jwt` assertions (RFC 7523)',
    example: ['ES256', 'RS256', 'PS256', 'EdDSA'],
  })
  token_endpoint_auth_signing_alg_values_supported!: string[];

  @uri('Human-readable API documentation (Swagger UI)', 'https://auth.example.com/api/docs')
  service_documentation!: string;

  @uri('Token revocation endpoint (RFC 7009 §2)', 'https://auth.example.com/api/v1/oauth/revoke')
  revocation_endpoint!: string;

  @ApiProperty({ type: [String] })
  revocation_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String] })
  revocation_endpoint_auth_signing_alg_values_supported!: string[];

  @uri(
    'Token introspection endpoint (RFC 7662 §2)',
    'https://auth.example.com/api/v1/oauth/introspect',
  )
  introspection_endpoint!: string;

  @ApiProperty({
    type: [String],
    example: [...INTROSPECTION_ENDPOINT_AUTH_METHODS],
  })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String] })
  introspection_endpoint_auth_signing_alg_values_supported!: string[];

  @ApiProperty({
    type: [String],
    description: 'PKCE methods (RFC 7636); S256 only',
    example: ['S256'],
  })
  code_challenge_methods_supported!: string[];

  @ApiProperty({
    type: [String],
    description: 'JWS algorithms accepted for DPoP proofs (RFC 9449 §5.1)',
    example: ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'],
  })
  dpop_signing_alg_values_supported!: string[];

  @ApiProperty({ description: 'Authorization responses carry `iss` (RFC 9207 §3)', example: true })
  authorization_response_iss_parameter_supported!: boolean;

  @ApiProperty({
    description: 'Pushed authorization request endpoint (RFC 9126 §5)',
    format: 'uri',
    example: 'https://auth.example.com/api/v1/oauth/pushed-authorization',
  })
  pushed_authorization_request_endpoint!: string;

  @ApiProperty({
    description:
      'Whether every authorization request must be pushed first (RFC 9126 §5; ' +
      '`REQUIRE_PUSHED_AUTHORIZATION_REQUESTS`)',
    example: false,
  })
  require_pushed_authorization_requests!: boolean;

  @ApiProperty({
    description:
      'An https URL may be used as client_id: the server fetches that Client ID Metadata Document ' +
      '(draft-ietf-oauth-client-id-metadata-document; `CLIENT_ID_METADATA_HOSTS`)',
    example: true,
  })
  client_id_metadata_document_supported!: boolean;
}
