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

  @ApiProperty({
    description: 'End-session endpoint (OpenID Connect RP-Initiated Logout 1.0 §2.1), GET and POST',
    format: 'uri',
    example: 'https://auth.example.com/api/v1/oauth/logout',
  })
  end_session_endpoint!: string;

  @ApiProperty({
    description: 'Front-channel logout (iframes) is not offered; back-channel logout is',
    example: false,
  })
  frontchannel_logout_supported!: boolean;

  @ApiProperty({
    description:
      'Logout tokens are POSTed to `backchannel_logout_uri` (Back-Channel Logout 1.0 §2.1)',
    example: true,
  })
  backchannel_logout_supported!: boolean;

  @ApiProperty({
    description: 'Logout tokens and ID tokens carry `sid` (Back-Channel Logout 1.0 §2.1)',
    example: true,
  })
  backchannel_logout_session_supported!: boolean;
}
