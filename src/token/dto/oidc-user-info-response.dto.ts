import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/**
 * `OIDCUserInfoResponse` (reference; OpenID Connect Core §5.3.2). `sub` always; the other claims as the
 * granted scopes allow (`profile`, `email`, OIDC Core §5.4) and the user has them.
 */
@ApiSchema({ description: 'OpenID Connect UserInfo response' })
export class OIDCUserInfoResponse {
  @ApiProperty({ example: 'usr_abc123', description: 'User ID (required)' })
  sub!: string;

  @ApiPropertyOptional({ example: 'John Doe', description: 'Full name (scope profile)' })
  name?: string;

  @ApiPropertyOptional({ example: 'John' })
  given_name?: string;

  @ApiPropertyOptional({ example: 'Doe' })
  family_name?: string;

  @ApiPropertyOptional({ example: 'Johnny' })
  nickname?: string;

  @ApiPropertyOptional({ example: 'john' })
  preferred_username?: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/avatars/usr_abc123.jpg' })
  picture?: string;

  @ApiPropertyOptional({ example: 'https://johndoe.com' })
  website?: string;

  @ApiPropertyOptional({ example: 'male' })
  gender?: string;

  @ApiPropertyOptional({ example: '1990-01-15' })
  birthdate?: string;

  @ApiPropertyOptional({ example: 'America/Los_Angeles' })
  zoneinfo?: string;

  @ApiPropertyOptional({ example: 'en-US' })
  locale?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1743728400 })
  updated_at?: number;

  @ApiPropertyOptional({ example: 'john@example.com', description: 'Email (scope email)' })
  email?: string;

  @ApiPropertyOptional({ example: true, description: 'Email verified (scope email)' })
  email_verified?: boolean;

  @ApiPropertyOptional({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX', description: 'Internal' })
  client_id?: string;

  @ApiPropertyOptional({ example: 'openid profile' })
  scope?: string;

  @ApiPropertyOptional({ description: 'Age group (verification; not provided by this server)' })
  age_group?: string;

  @ApiPropertyOptional({
    description: 'Verification (age/minor status; not provided by this server)',
  })
  is_minor?: boolean;
}
