import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/**
 * `TokenIntrospectionResponse` (reference; RFC 7662 §2.2). An inactive token answers exactly
 * `{"active": false}`.
 */
@ApiSchema({ description: 'Token introspection result' })
export class TokenIntrospectionResponse {
  @ApiProperty({ example: true, description: 'Is active' })
  active!: boolean;

  @ApiPropertyOptional({
    example: 'https://authms.example.com',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'Audience',
  })
  aud?: string | string[];

  @ApiPropertyOptional({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX', description: 'Client ID' })
  client_id?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1713187200, description: 'Expiration time' })
  exp?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1713183600, description: 'Issued at' })
  iat?: number;

  @ApiPropertyOptional({ example: 'https://authms.example.com', description: 'Issuer' })
  iss?: string;

  @ApiPropertyOptional({
    example: '01JNYYYYYYYYYYYYYYYYYYYYYY',
    description: 'Token ID (access tokens)',
  })
  jti?: string;

  @ApiPropertyOptional({ example: 'openid profile', description: 'Scope' })
  scope?: string;

  @ApiPropertyOptional({
    example: 'usr_abc123',
    description: 'Subject: the user, or the client_id for client_credentials tokens',
  })
  sub?: string;

  @ApiPropertyOptional({ example: 'Bearer', description: 'Token type (access tokens)' })
  token_type?: string;

  @ApiPropertyOptional({ example: 'user@example.com', description: 'Username' })
  username?: string;
}
