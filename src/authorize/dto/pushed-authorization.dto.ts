import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuthorizationRequestParams } from './authorization-request-params.dto.js';

/**
 * Body of `POST /oauth/pushed-authorization` (RFC 9126 §2.1): the authorization request parameters, plus
 * the client authentication of the token endpoint. Documentation only: the endpoint reads the raw
 * parameters, as `/oauth/authorize` does.
 */
export class PushedAuthorizationRequest extends AuthorizationRequestParams {
  @ApiPropertyOptional({
    description: 'Client secret (`client_secret_post`); or HTTP Basic (`client_secret_basic`)',
    example: 'secret_abc123',
  })
  client_secret?: string;

  @ApiPropertyOptional({
    description: 'RFC 7523 client assertion type (`private_key_jwt`)',
    example: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  })
  client_assertion_type?: string;

  @ApiPropertyOptional({ description: 'RFC 7523 client assertion (`private_key_jwt`)' })
  client_assertion?: string;
}

/** RFC 9126 §2.2 success response. */
export class PushedAuthorizationResponse {
  @ApiProperty({
    description:
      'Reference to the pushed request, used once as `request_uri` at the authorization endpoint',
    example: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c',
  })
  request_uri!: string;

  @ApiProperty({ description: 'Lifetime of the request_uri, seconds', example: 60 })
  expires_in!: number;
}
