import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ClientAuthenticationFields } from './client-authentication-fields.dto.js';

/** Form parameters of `POST /oauth/introspect` (RFC 7662 §2.1). */
@ApiSchema({ description: 'Token introspection request (application/x-www-form-urlencoded)' })
export class TokenIntrospectionRequest extends ClientAuthenticationFields {
  @ApiProperty({
    example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9...',
    description: 'Token to inspect (access_token or refresh_token)',
  })
  token!: string;

  @ApiPropertyOptional({
    example: 'access_token',
    enum: ['access_token', 'refresh_token'],
    description: 'Hint about the token type (RFC 7662 §2.1)',
  })
  token_type_hint?: string;
}
