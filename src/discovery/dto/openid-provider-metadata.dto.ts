import { ApiProperty } from '@nestjs/swagger';
import { AuthorizationServerMetadata } from './authorization-server-metadata.dto.js';

/**
 * OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3). RFC 8414 §7.1.2 registers these fields as
 * authorization server metadata too, so both well-known documents carry all of them.
 */
export class OpenIdProviderMetadata extends AuthorizationServerMetadata {
  @ApiProperty({
    description: 'UserInfo endpoint (OIDC Core §5.3)',
    format: 'uri',
    example: 'https://auth.example.com/api/v1/oauth/userinfo',
  })
  userinfo_endpoint!: string;

  @ApiProperty({ type: [String], example: ['public'] })
  subject_types_supported!: string[];

  @ApiProperty({
    type: [String],
    description:
      'JWS algorithms ID tokens are signed with: `TOKEN_ID_ALG` (the default) first, then the others a ' +
      'client may choose as `id_token_signed_response_alg`',
    example: ['RS256', 'ES256'],
  })
  id_token_signing_alg_values_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['sub', 'iss', 'name', 'preferred_username', 'email', 'email_verified'],
  })
  claims_supported!: string[];

  @ApiProperty({ type: [String], example: ['normal'] })
  claim_types_supported!: string[];

  @ApiProperty({
    description: 'The `request` parameter (OIDC Core §6.1) is not supported',
    example: false,
  })
  request_parameter_supported!: boolean;

  @ApiProperty({
    description:
      'Request objects by reference (OIDC Core §6.2) are not fetched; a `request_uri` from the pushed ' +
      'authorization request endpoint (RFC 9126) is accepted all the same',
    example: false,
  })
  request_uri_parameter_supported!: boolean;

  @ApiProperty({
    description: 'The `claims` parameter (OIDC Core §5.5) is not supported',
    example: false,
  })
  claims_parameter_supported!: boolean;

  @ApiProperty({ type: [String], example: ['none', 'login', 'consent'] })
  prompt_values_supported!: string[];
}
