import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** `OAuthTokenResponse` (reference; RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). Flat JSON. */
@ApiSchema({ description: 'OAuth token response' })
export class OAuthTokenResponse {
  @ApiProperty({
    example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9...',
    description: 'Access token (a JWT, RFC 9068)',
  })
  access_token!: string;

  @ApiProperty({ example: 'Bearer', description: 'Token type' })
  token_type!: string;

  @ApiProperty({ type: 'integer', example: 3600, description: 'Expires in seconds' })
  expires_in!: number;

  @ApiProperty({ example: 'openid profile email', description: 'Scope' })
  scope!: string;

  @ApiPropertyOptional({
    example: 'rt_abc123',
    description:
      'Refresh token (clients registered with the refresh_token grant; rotated on every use)',
  })
  refresh_token?: string;

  @ApiPropertyOptional({ example: 'eyJhbGci...', description: 'OIDC ID token (scope openid)' })
  id_token?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'RAR authorization details (RFC 9396); not issued by this server',
  })
  authorization_details?: Record<string, unknown>[];

  @ApiPropertyOptional({
    description: 'Access token DPoP binding confirmation (RFC 9449); not issued by this server',
  })
  dpop_access_token_bound?: boolean;

  @ApiPropertyOptional({
    description: 'DPoP signing algorithm (RFC 9449); not issued by this server',
  })
  dpop_signing_alg?: string;
}
