import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ID_TOKEN_SIGNING_ALGS } from '../client-metadata.validator.js';

/**
 * `ClientRegistrationResponse` (reference, RFC 7591 §3.2.1 / RFC 7592 §3): the client information.
 * Unset optional metadata is omitted, never `null` or `""`. `client_secret` appears only when a secret
 * is issued (registration, or an update that switches to a secret method): only its hash is stored.
 */
@ApiSchema({ description: 'OAuth 2.0 Dynamic Client Registration response (RFC 7591 §2.1)' })
export class ClientRegistrationResponse {
  @ApiProperty({ example: 'web', description: 'Application type', enum: ['web', 'native'] })
  application_type!: string;

  @ApiProperty({ example: '01JNXXXXX...', description: 'Client ID (a ULID)' })
  client_id!: string;

  @ApiProperty({
    type: 'integer',
    example: 1715692800,
    description: 'Client ID issued at (seconds since the epoch)',
  })
  client_id_issued_at!: number;

  @ApiPropertyOptional({ example: 'My Application', description: 'Client name' })
  client_name?: string;

  @ApiPropertyOptional({
    example: 'sec_abc123...',
    description: 'Client secret; returned only when issued (shown once, stored hashed)',
  })
  client_secret?: string;

  @ApiProperty({
    type: 'integer',
    example: 0,
    description: 'Client secret expiration time (0 = never expires)',
  })
  client_secret_expires_at!: number;

  @ApiPropertyOptional({
    example: 'https://app.example.com',
    description: 'Client home page URL',
    format: 'uri',
  })
  client_uri?: string;

  @ApiPropertyOptional({ type: [String], example: ['admin@example.com'], description: 'Contacts' })
  contacts?: string[];

  @ApiProperty({
    type: [String],
    example: ['authorization_code', 'refresh_token'],
    description: 'Grant types',
  })
  grant_types!: string[];

  @ApiProperty({ type: [String], example: ['code'], description: 'Response types' })
  response_types!: string[];

  @ApiPropertyOptional({
    example: 'ES256',
    description:
      'JWS algorithm of the ID tokens issued to this client (OpenID Connect Registration §2); omitted ' +
      'when not registered (the server default `TOKEN_ID_ALG` applies)',
    enum: [...ID_TOKEN_SIGNING_ALGS],
  })
  id_token_signed_response_alg?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'RFC 9126 §6: authorization requests of this client must use the pushed authorization request ' +
      'endpoint; omitted when false',
  })
  require_pushed_authorization_requests?: boolean;

  @ApiPropertyOptional({
    example: true,
    description:
      'RFC 9449 §5.2: token requests of this client must carry a DPoP proof; omitted when false',
  })
  dpop_bound_access_tokens?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JWKS document (the registered public JWK Set, as an object)',
    example: { keys: [{ kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: 'k1' }] },
  })
  jwks?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'https://app.example.com/jwks.json',
    description: 'JWKS URI',
    format: 'uri',
  })
  jwks_uri?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://app.example.com/signed-out'],
    description:
      'Post-logout redirect URIs (OpenID Connect RP-Initiated Logout 1.0 §3.1). Flat style only ' +
      '(`/connect/register`); the envelope leaves it out (docs/adr/0105).',
  })
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({
    example: 'https://app.example.com/backchannel-logout',
    description:
      'Back-channel logout URI (OpenID Connect Back-Channel Logout 1.0 §2.2). Flat style only.',
    format: 'uri',
  })
  backchannel_logout_uri?: string;

  @ApiPropertyOptional({
    type: 'boolean',
    example: true,
    description:
      'Whether logout tokens carry `sid` (Back-Channel Logout 1.0 §2.2); present with ' +
      '`backchannel_logout_uri`. Flat style only.',
  })
  backchannel_logout_session_required?: boolean;

  @ApiPropertyOptional({
    example: 'https://app.example.com/logo.png',
    description: 'Logo URL',
    format: 'uri',
  })
  logo_uri?: string;

  @ApiPropertyOptional({
    example: 'https://app.example.com/privacy',
    description: 'Privacy policy URL',
    format: 'uri',
  })
  policy_uri?: string;

  @ApiProperty({
    type: [String],
    example: ['https://app.example.com/callback'],
    description: 'Redirect URIs',
  })
  redirect_uris!: string[];

  @ApiProperty({
    example: 'reg_abc123...',
    description:
      'Registration access token (RFC 7592 §3). A new one is issued on registration and on each ' +
      'update when rotation is on; on read, the token that was presented.',
  })
  registration_access_token!: string;

  @ApiProperty({
    example: 'https://authms.example.com/api/v1/oauth/register/app-123',
    description: 'Registration management URI',
    format: 'uri',
  })
  registration_client_uri!: string;

  @ApiProperty({ example: 'openid profile email', description: 'Scopes' })
  scope!: string;

  @ApiPropertyOptional({ example: 'my-app-v1', description: 'Software ID' })
  software_id?: string;

  @ApiPropertyOptional({ example: '1.0.0', description: 'Software version' })
  software_version?: string;

  @ApiProperty({ example: 'client_secret_basic', description: 'Authentication method' })
  token_endpoint_auth_method!: string;

  @ApiPropertyOptional({
    example: 'https://app.example.com/tos',
    description: 'Terms of service URL',
    format: 'uri',
  })
  tos_uri?: string;
}
