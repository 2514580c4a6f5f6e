import { GRANT_TYPES } from '../../common/oauth/grant-types.js';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ClientAuthenticationFields } from './client-authentication-fields.dto.js';

/** Form parameters of `POST /oauth/token` (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5; RFC 8707). */
@ApiSchema({ description: 'OAuth 2.0 token request (application/x-www-form-urlencoded)' })
export class OAuthTokenRequest extends ClientAuthenticationFields {
  @ApiProperty({
    example: 'authorization_code',
    enum: [...GRANT_TYPES],
    description: 'Grant type',
  })
  grant_type!: string;

  @ApiPropertyOptional({
    example: 'ac_abc123...',
    description: 'Authorization code (authorization_code)',
  })
  code?: string;

  @ApiPropertyOptional({
    example: 'https://app.example.com/callback',
    format: 'uri',
    description:
      'Redirect URI (authorization_code; required and identical when the authorization request had one)',
  })
  redirect_uri?: string;

  @ApiPropertyOptional({
    example: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    description:
      'PKCE code verifier, 43-128 characters (authorization_code; required when PKCE was used)',
  })
  code_verifier?: string;

  @ApiPropertyOptional({ example: 'rt_abc123...', description: 'Refresh token (refresh_token)' })
  refresh_token?: string;

  @ApiPropertyOptional({
    example: 'openid profile',
    description:
      'Requested scope (client_credentials: within the registered scope; refresh_token: within the original grant)',
  })
  scope?: string;

  @ApiPropertyOptional({
    example: 'https://api.example.com/',
    format: 'uri',
    description: 'Resource indicator (RFC 8707): becomes the access token audience; may repeat',
  })
  resource?: string;
}
