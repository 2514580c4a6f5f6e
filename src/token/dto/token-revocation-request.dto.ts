import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ClientAuthenticationFields } from './client-authentication-fields.dto.js';

/** Body of `POST /oauth/revoke` (RFC 7009 §2.1). JSON or form. */
@ApiSchema({ description: 'Token revocation request (includes token, token_type_hint)' })
export class TokenRevocationRequest extends ClientAuthenticationFields {
  @ApiProperty({
    example: 'rt_abc123...',
    description: 'The access token or refresh token to revoke',
  })
  token!: string;

  @ApiPropertyOptional({
    example: 'refresh_token',
    enum: ['access_token', 'refresh_token'],
    description: 'Hint about the token type (RFC 7009 §2.1)',
  })
  token_type_hint?: string;
}
