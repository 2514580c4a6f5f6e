import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ClientAuthenticationFields } from './client-authentication-fields.dto.js';

/** Body of `POST /oauth/refresh` (the contract's O5; RFC 6749 §6). JSON or form. */
@ApiSchema({ description: 'Refresh request (includes refresh_token, client_id)' })
export class RefreshTokenRequest extends ClientAuthenticationFields {
  @ApiProperty({ example: 'rt_abc123...', description: 'Refresh token' })
  refresh_token!: string;

  @ApiPropertyOptional({
    example: 'openid',
    description: 'Narrower scope for the new access token (never wider than the original grant)',
  })
  scope?: string;
}
